/**
 * A scripted MCP client and browser for the attack suite: registration, the consent page, the
 * trip to Access and back, and the token endpoint, each step callable on its own so a test can
 * change or replay exactly one of them.
 */
import { SELF } from 'cloudflare:test';
import { expect } from 'vitest';
import { ORIGIN, MCP_URL, type FakeAccess } from './fake-access.ts';

export const REDIRECT_URI = 'http://localhost:3333/callback';

/** A cookie jar for one browser. */
export class Browser {
  readonly cookies = new Map<string, string>();

  async fetch(url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size > 0 && !headers.has('Cookie')) headers.set('Cookie', this.cookieHeader());
    const response = await SELF.fetch(url, { redirect: 'manual', ...init, headers });
    for (const cookie of response.headers.getSetCookie()) {
      const [pair, ...attributes] = cookie.split(';');
      const [name, ...rest] = pair!.split('=');
      const expired = attributes.some((a) => /^\s*max-age=0\s*$/i.test(a) || /^\s*expires=Thu, 01 Jan 1970/i.test(a));
      if (expired) this.cookies.delete(name!.trim());
      else this.cookies.set(name!.trim(), rest.join('='));
    }
    return response;
  }

  cookieHeader(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }
}

export interface Pkce {
  verifier: string;
  challenge: string;
}

export async function pkce(): Promise<Pkce> {
  const verifier = base64url(crypto.getRandomValues(new Uint8Array(32)));
  const challenge = base64url(
    new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))),
  );
  return { verifier, challenge };
}

function base64url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

/** Registers a public client (RFC 7591) and returns the raw response. */
export function register(metadata: Record<string, unknown> = {}): Promise<Response> {
  return SELF.fetch(`${ORIGIN}/register`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      client_name: 'Test Client',
      redirect_uris: [REDIRECT_URI],
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      ...metadata,
    }),
  });
}

export async function registerClient(metadata: Record<string, unknown> = {}): Promise<string> {
  const response = await register(metadata);
  expect(response.status).toBe(201);
  return (await response.json<{ client_id: string }>()).client_id;
}

export function authorizeUrl(
  clientId: string,
  challenge: string,
  extra: Record<string, string | undefined> = {},
): string {
  const params: Record<string, string | undefined> = {
    response_type: 'code',
    client_id: clientId,
    redirect_uri: REDIRECT_URI,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    state: 'client-state',
    resource: MCP_URL,
    ...extra,
  };
  const url = new URL(`${ORIGIN}/authorize`);
  for (const [name, value] of Object.entries(params)) if (value !== undefined) url.searchParams.set(name, value);
  return url.href;
}

export function consentHandle(html: string): string {
  const handle = /name="handle" value="([^"]+)"/.exec(html)?.[1];
  expect(handle, 'the consent page carries a handle').toBeTruthy();
  return handle!;
}

export function postConsent(browser: Browser, form: Record<string, string>): Promise<Response> {
  return browser.fetch(`${ORIGIN}/authorize`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form),
  });
}

/** Where an approval sends the browser: Access's authorization endpoint with state and nonce. */
export function accessRedirect(response: Response, access: FakeAccess): { state: string; nonce: string } {
  expect(response.status).toBe(302);
  const location = new URL(response.headers.get('Location')!);
  const state = location.searchParams.get('state')!;
  const nonce = location.searchParams.get('nonce')!;
  expect(state).toBeTruthy();
  access.lastNonce = nonce;
  return { state, nonce };
}

/** Consent page → approve → Access; returns the state Access would send back. */
export async function approveUpToAccess(
  browser: Browser,
  access: FakeAccess,
  clientId: string,
  challenge: string,
  options: { remember?: boolean; extra?: Record<string, string | undefined> } = {},
): Promise<{ state: string; nonce: string }> {
  const page = await browser.fetch(authorizeUrl(clientId, challenge, options.extra));
  expect(page.status).toBe(200);
  const approve = await postConsent(browser, {
    handle: consentHandle(await page.text()),
    decision: 'approve',
    ...(options.remember ? { remember: 'yes' } : {}),
  });
  return accessRedirect(approve, access);
}

/** Access sends the browser back to `/callback`. */
export function callback(browser: Browser, state: string, code = 'access-code'): Promise<Response> {
  return browser.fetch(`${ORIGIN}/callback?${new URLSearchParams({ code, state }).toString()}`);
}

/** The authorization code the client gets from a successful callback. */
export function clientCode(response: Response): string {
  expect(response.status, 'the callback redirects to the client').toBe(302);
  const location = new URL(response.headers.get('Location')!);
  expect(location.origin + location.pathname).toBe(REDIRECT_URI);
  return location.searchParams.get('code')!;
}

export function tokenRequest(params: Record<string, string | undefined>): Promise<Response> {
  const body = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) if (value !== undefined) body.set(name, value);
  return SELF.fetch(`${ORIGIN}/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body,
  });
}

export interface Tokens {
  access_token: string;
  refresh_token: string;
}

/** The whole sign-in as a user of the fake Access: returns the client's tokens. */
export async function signIn(
  access: FakeAccess,
  options: { clientId?: string; browser?: Browser } = {},
): Promise<Tokens & { clientId: string }> {
  const clientId = options.clientId ?? (await registerClient());
  const browser = options.browser ?? new Browser();
  const { verifier, challenge } = await pkce();
  const { state } = await approveUpToAccess(browser, access, clientId, challenge);
  const code = clientCode(await callback(browser, state));
  const response = await tokenRequest({
    grant_type: 'authorization_code',
    code,
    redirect_uri: REDIRECT_URI,
    client_id: clientId,
    code_verifier: verifier,
    resource: MCP_URL,
  });
  expect(response.status).toBe(200);
  return { ...(await response.json<Tokens>()), clientId };
}

/** An MCP request with a bearer token. */
export function mcpRequest(
  token: string | undefined,
  init: { body?: string; headers?: Record<string, string>; url?: string } = {},
): Promise<Response> {
  return SELF.fetch(init.url ?? MCP_URL, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      Accept: 'application/json, text/event-stream',
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
      ...init.headers,
    },
    body: init.body ?? JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
  });
}
