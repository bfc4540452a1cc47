/**
 * Signing a person in for the approval page, through the same Access application as every MCP
 * sign-in: the same `/callback` (Access may send codes nowhere else), PKCE S256, a nonce, and a
 * state that is random, single use, stored server-side for ten minutes and bound to this browser by
 * a `__Host-` cookie (docs/security.md 1 and 2). The id_token is verified exactly as for an MCP
 * sign-in (`access/id-token.ts`). What the page needs afterwards (sub, email, name, and the groups
 * that approve something) travels in a signed `__Host-` session cookie for an hour; a person whose
 * groups change signs in again within that hour at the latest.
 */
import type { UserProps, WorkerConfig } from '../config.ts';
import { accessAuthorizationUrl } from '../access/authorize.ts';
import { CodeExchangeError, exchangeCodeForIdToken } from '../access/code-exchange.ts';
import { accessKeySet, IdTokenError, verifyIdToken } from '../access/id-token.ts';
import { createCodeVerifier, createNonce } from '../access/pkce.ts';
import { errorPage } from '../pages/error-page.ts';
import { signFor, verifyFor } from './approval-keys.ts';
import { fromBase64url, randomToken, toBase64url } from '../base64url.ts';

/** Every approver sign-in's `state` starts with this; the OAuth provider's states never contain a dot. */
const STATE_PREFIX = 'approver.';
const SIGN_IN_COOKIE = '__Host-secure-mcp-approver-sign-in';
export const SESSION_COOKIE = '__Host-secure-mcp-approver';
const SIGN_IN_TTL_SECONDS = 600;
const SESSION_SECONDS = 60 * 60;

/** A person signed in on the approval page. */
export interface Approver {
  sub: string;
  email: string;
  name: string;
  /** Their groups that some approve rule names (the others are not needed, and a cookie is small). */
  groups: string[];
  /** Epoch milliseconds the session ends. */
  expiresAt: number;
}

/** What the sign-in keeps server-side between the redirect to Access and `/callback`. */
interface PendingSignIn {
  verifier: string;
  nonce: string;
  returnTo: string;
}

/** Whether a `/callback` belongs to an approver sign-in (rather than an MCP client's). */
export function isApproverSignIn(request: Request): boolean {
  return new URL(request.url).searchParams.get('state')?.startsWith(STATE_PREFIX) ?? false;
}

/**
 * The signed-in approver of a request, or undefined (no cookie, a forged or expired one).
 *
 * @example
 * ```ts
 * const approver = await readApprover(request, config.cookieSecret);
 * if (!approver) return startApproverSignIn(env, config, '/approvals');
 * ```
 */
export async function readApprover(request: Request, secret: string, now = Date.now()): Promise<Approver | undefined> {
  const value = readCookie(request, SESSION_COOKIE);
  if (!value) return undefined;
  const [payload, mac, ...rest] = value.split('.');
  if (!payload || !mac || rest.length > 0) return undefined;
  if (!(await verifyFor(secret, 'approver-session', payload, mac))) return undefined;
  const bytes = fromBase64url(payload);
  if (!bytes) return undefined;
  const approver = JSON.parse(new TextDecoder().decode(bytes)) as Approver;
  return approver.expiresAt > now ? approver : undefined;
}

/** The session cookie's value, which the page's form tokens are bound to. */
export function approverSessionValue(request: Request): string {
  return readCookie(request, SESSION_COOKIE) ?? '';
}

/**
 * Sends the browser to Access to sign in, and back to `returnTo` (a path of the approval pages)
 * afterwards.
 *
 * @example
 * ```ts
 * return startApproverSignIn(env, config, url.pathname);
 * ```
 */
export async function startApproverSignIn(
  env: Cloudflare.Env,
  config: WorkerConfig,
  returnTo: string,
): Promise<Response> {
  const state = `${STATE_PREFIX}${randomToken(32)}`;
  const hash = await sha256(state);
  const signIn: PendingSignIn = { verifier: createCodeVerifier(), nonce: createNonce(), returnTo };
  await env.OAUTH_KV.put(`approver-sign-in:${hash}`, JSON.stringify(signIn), { expirationTtl: SIGN_IN_TTL_SECONDS });
  const headers = new Headers({
    Location: await accessAuthorizationUrl(config, state, signIn),
    'Cache-Control': 'no-store',
  });
  headers.append('Set-Cookie', cookie(SIGN_IN_COOKIE, hash, SIGN_IN_TTL_SECONDS));
  return new Response(null, { status: 302, headers });
}

/**
 * `/callback` for an approver sign-in: the state must be this browser's and unused; then the code
 * is exchanged and the id_token verified, and the browser returns to the page it came from with a
 * session cookie. `approvalGroups` are the groups some approve rule names.
 */
export async function finishApproverSignIn(
  request: Request,
  env: Cloudflare.Env,
  config: WorkerConfig,
  approvalGroups: readonly string[],
): Promise<Response> {
  const params = new URL(request.url).searchParams;
  const state = params.get('state') ?? '';
  const hash = await sha256(state);
  const bound = readCookie(request, SIGN_IN_COOKIE);
  const key = `approver-sign-in:${hash}`;
  const stored = bound === hash ? await env.OAUTH_KV.get(key) : null;
  if (!stored)
    return errorPage(400, 'This sign-in link has expired or was already used', 'Open the approval page again.');
  await env.OAUTH_KV.delete(key);
  const signIn = JSON.parse(stored) as PendingSignIn;
  if (params.has('error'))
    return errorPage(
      403,
      'Sign-in did not complete',
      'Cloudflare Access did not sign you in. Open the approval page again to retry.',
    );
  const code = params.get('code');
  if (!code) return errorPage(400, 'Cloudflare Access sent no sign-in code', 'Open the approval page again.');

  let user: UserProps;
  try {
    const idToken = await exchangeCodeForIdToken(config.access, {
      code,
      verifier: signIn.verifier,
      redirectUri: config.callbackUrl,
    });
    user = await verifyIdToken(idToken, {
      issuer: config.access.issuer,
      clientId: config.access.clientId,
      nonce: signIn.nonce,
      nonceMode: config.signIn.nonce,
      groupsField: config.signIn.groupsField,
      keys: accessKeySet(config.access.jwksUrl),
    });
  } catch (error) {
    if (error instanceof CodeExchangeError)
      return errorPage(502, 'Sign-in with Cloudflare Access failed', `${error.message}. Try again in a moment.`);
    if (error instanceof IdTokenError) {
      console.warn(JSON.stringify({ event: 'sign_in.refused', reason: error.reason, purpose: 'approval page' }));
      return errorPage(
        401,
        'Your sign-in could not be verified',
        `The identity token from Cloudflare Access was refused: ${error.reason}.`,
      );
    }
    throw error;
  }

  const approver: Approver = {
    sub: user.sub,
    email: user.email,
    name: user.name,
    groups: user.groups.filter((group) => approvalGroups.includes(group)),
    expiresAt: Date.now() + SESSION_SECONDS * 1000,
  };
  const payload = toBase64url(JSON.stringify(approver));
  const headers = new Headers({ Location: safeReturnPath(signIn.returnTo), 'Cache-Control': 'no-store' });
  headers.append(
    'Set-Cookie',
    cookie(
      SESSION_COOKIE,
      `${payload}.${await signFor(config.cookieSecret, 'approver-session', payload)}`,
      SESSION_SECONDS,
    ),
  );
  headers.append('Set-Cookie', cookie(SIGN_IN_COOKIE, '', 0));
  return new Response(null, { status: 303, headers });
}

/** Only the approval pages themselves: the return path came from this Worker, but is checked again. */
function safeReturnPath(path: string): string {
  return /^\/approvals(\/[A-Za-z0-9._-]*)?$/.test(path) ? path : '/approvals';
}

function cookie(name: string, value: string, maxAgeSeconds: number): string {
  return `${name}=${value}; Path=/; Max-Age=${maxAgeSeconds}; Secure; HttpOnly; SameSite=Lax`;
}

function readCookie(request: Request, name: string): string | undefined {
  for (const part of (request.headers.get('Cookie') ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return undefined;
}

async function sha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, '0')).join('');
}
