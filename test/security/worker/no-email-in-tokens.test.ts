/**
 * No email in what the gateway issues (docs/security.md 9): the OAuth library writes its user id
 * into every authorization code and token (`<userId>:<grantId>:<secret>`), and those travel in
 * client URLs, browser histories and logs. The user id is opaque (access/user-id.ts), stable, and
 * offboarding by email still works. This test collects everything the gateway hands out during a
 * sign-in and a refresh, decodes each part every way a reader might, and finds no trace of the
 * person.
 */
import { SELF } from 'cloudflare:test';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ALICE, FakeAccess, MCP_URL, ORIGIN } from './fake-access.ts';
import {
  accessRedirect,
  Browser,
  callback,
  consentHandle,
  authorizeUrl,
  pkce,
  postConsent,
  REDIRECT_URI,
  register,
  tokenRequest,
  type Tokens,
} from './browser.ts';

let access: FakeAccess;
beforeEach(async () => {
  access = await FakeAccess.start();
});
afterEach(() => {
  vi.restoreAllMocks();
});

/** Every way a reader could turn an issued string into text: as is, URL-decoded, each part base64(url)-decoded. */
function readings(issued: string): string[] {
  const texts = [issued];
  try {
    texts.push(decodeURIComponent(issued));
  } catch {
    // not URL-encoded
  }
  for (const part of issued.split(/[:.~]/)) {
    for (const alphabet of [part, part.replace(/-/g, '+').replace(/_/g, '/')]) {
      try {
        texts.push(new TextDecoder().decode(Uint8Array.from(atob(alphabet), (c) => c.charCodeAt(0))));
      } catch {
        // not base64
      }
    }
  }
  return texts;
}

function expectNoPerson(what: string, issued: string): void {
  for (const text of readings(issued)) {
    expect(text.toLowerCase(), `${what}: ${issued}`).not.toContain('alice');
    expect(text.toLowerCase(), `${what}: ${issued}`).not.toContain('example.com');
    expect(text, `${what}: ${issued}`).not.toContain(ALICE.sub);
  }
}

describe('no email in codes and tokens (docs/security.md 9)', () => {
  it('registration, consent, the trip to Access, the code, both tokens and their refresh carry no trace of the person', async () => {
    const issued: [string, string][] = [];
    const registration = await register();
    const { client_id: clientId } = await registration.json<{ client_id: string }>();
    issued.push(['client_id', clientId]);

    const browser = new Browser();
    const { verifier, challenge } = await pkce();
    const page = await browser.fetch(authorizeUrl(clientId, challenge));
    issued.push(['consent handle', consentHandle(await page.text())]);
    const approval = await postConsent(browser, { handle: issued.at(-1)![1], decision: 'approve' });
    const toAccess = new URL(approval.headers.get('Location')!);
    for (const [name, value] of toAccess.searchParams) issued.push([`to Access: ${name}`, value]);
    accessRedirect(approval, access);
    const back = await callback(browser, toAccess.searchParams.get('state')!);
    const toClient = new URL(back.headers.get('Location')!);
    for (const [name, value] of toClient.searchParams) issued.push([`to the client: ${name}`, value]);
    for (const [name, value] of browser.cookies) issued.push([`cookie ${name}`, value]);

    const tokens = await (
      await tokenRequest({
        grant_type: 'authorization_code',
        code: toClient.searchParams.get('code')!,
        redirect_uri: REDIRECT_URI,
        client_id: clientId,
        code_verifier: verifier,
        resource: MCP_URL,
      })
    ).json<Tokens>();
    issued.push(['access token', tokens.access_token], ['refresh token', tokens.refresh_token]);
    const refreshed = await (
      await tokenRequest({
        grant_type: 'refresh_token',
        refresh_token: tokens.refresh_token,
        client_id: clientId,
        resource: MCP_URL,
      })
    ).json<Tokens>();
    issued.push(
      ['refreshed access token', refreshed.access_token],
      ['refreshed refresh token', refreshed.refresh_token],
    );

    expect(issued.filter(([what]) => what.includes('token'))).toHaveLength(4);
    for (const [what, value] of issued) expectNoPerson(what, value);
  });

  it('the user id is the same for every sign-in of the person, whatever the case of their email', async () => {
    const { signIn } = await import('./browser.ts');
    const first = await signIn(access);
    access.idToken = (nonce) => access.sign({ ...ALICE, email: 'Alice@EXAMPLE.com', nonce });
    const second = await signIn(access);
    expect(first.access_token.split(':')[0]).toBe(second.access_token.split(':')[0]);
  });

  it('offboarding by email still ends every one of those grants', async () => {
    const { signIn, mcpRequest } = await import('./browser.ts');
    const tokens = await signIn(access);
    const response = await SELF.fetch(`${ORIGIN}/admin/revoke-user`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        Authorization: 'Bearer security-admin-token-0123456789abcdef012345',
      },
      body: JSON.stringify({ email: 'ALICE@example.com' }),
    });
    expect((await response.json<{ revokedGrants: number }>()).revokedGrants).toBeGreaterThanOrEqual(1);
    expect((await mcpRequest(tokens.access_token)).status).toBe(401);
  });
});
