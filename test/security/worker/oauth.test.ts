/**
 * Attacks on the Worker as the MCP clients' authorization server (docs/security.md 5–9): PKCE,
 * redirect URIs, registration, audience binding, refresh rotation, revocation, offboarding.
 */
import { SELF, env } from 'cloudflare:test';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeAccess, MCP_URL, ORIGIN } from './fake-access.ts';
import {
  approveUpToAccess,
  authorizeUrl,
  Browser,
  callback,
  clientCode,
  mcpRequest,
  pkce,
  register,
  REDIRECT_URI,
  registerClient,
  signIn,
  tokenRequest,
} from './browser.ts';

let access: FakeAccess;
beforeEach(async () => {
  access = await FakeAccess.start();
});
afterEach(() => {
  vi.restoreAllMocks();
});

async function oauthError(response: Response): Promise<string> {
  expect(response.status).toBeGreaterThanOrEqual(400);
  expect(response.status).toBeLessThan(500);
  return (await response.json<{ error: string }>()).error;
}

/** Runs the sign-in up to the client's authorization code, with its PKCE pair. */
async function codeFor(options: { challenge?: string; extra?: Record<string, string | undefined> } = {}) {
  const clientId = await registerClient({ redirect_uris: [REDIRECT_URI, 'http://localhost:4444/callback'] });
  const pair = await pkce();
  const browser = new Browser();
  const { state } = await approveUpToAccess(browser, access, clientId, options.challenge ?? pair.challenge, {
    extra: options.extra,
  });
  return { clientId, verifier: pair.verifier, code: clientCode(await callback(browser, state)) };
}

describe('PKCE (docs/security.md 5)', () => {
  async function authorizeRefusal(extra: Record<string, string | undefined>) {
    const clientId = await registerClient();
    const response = await new Browser().fetch(
      authorizeUrl(clientId, 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', extra),
    );
    // Refused before any consent page: an error redirect to the client's registered redirect URI.
    expect(response.status).toBe(302);
    const location = new URL(response.headers.get('Location')!);
    expect(`${location.origin}${location.pathname}`).toBe(REDIRECT_URI);
    expect(location.searchParams.get('error')).toBe('invalid_request');
    return location.searchParams.get('error_description');
  }

  it('missing PKCE is refused at /authorize', async () => {
    expect(await authorizeRefusal({ code_challenge: undefined, code_challenge_method: undefined })).toMatch(/PKCE/);
  });

  it('PKCE plain is refused at /authorize', async () => {
    expect(await authorizeRefusal({ code_challenge: 'a'.repeat(43), code_challenge_method: 'plain' })).toMatch(
      /plain PKCE method is not allowed/,
    );
  });

  it('a wrong code_verifier is refused at /token', async () => {
    const { clientId, code } = await codeFor();
    const response = await tokenRequest({
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT_URI,
      client_id: clientId,
      code_verifier: 'x'.repeat(43),
      resource: MCP_URL,
    });
    expect(await oauthError(response)).toBe('invalid_grant');
  });

  it('a missing code_verifier is refused at /token', async () => {
    const { clientId, code } = await codeFor();
    const response = await tokenRequest({
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT_URI,
      client_id: clientId,
      resource: MCP_URL,
    });
    expect(['invalid_grant', 'invalid_request']).toContain(await oauthError(response));
  });

  it('an authorization code works once', async () => {
    const { clientId, code, verifier } = await codeFor();
    const params = {
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT_URI,
      client_id: clientId,
      code_verifier: verifier,
      resource: MCP_URL,
    };
    expect((await tokenRequest(params)).status).toBe(200);
    expect(await oauthError(await tokenRequest(params))).toBe('invalid_grant');
  });
});

describe('redirect URIs (docs/security.md 6)', () => {
  it('redirect-URI swap at /authorize: an unregistered URI gets a page, never a redirect', async () => {
    const clientId = await registerClient();
    const response = await new Browser().fetch(
      authorizeUrl(clientId, 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', {
        redirect_uri: 'https://evil.example/callback',
      }),
    );
    expect(response.status).toBe(400);
    expect(response.headers.get('Location')).toBeNull();
  });

  it('redirect-URI swap at /authorize: a registered URI with an extra path or query is not an exact match', async () => {
    const clientId = await registerClient();
    // (Another port on loopback is allowed on purpose: RFC 8252 §7.3, native apps pick a free port.)
    for (const uri of [
      `${REDIRECT_URI}/../evil`,
      `${REDIRECT_URI}?x=1`,
      `${REDIRECT_URI}/`,
      'http://localhost:3333/Callback',
    ]) {
      const response = await new Browser().fetch(
        authorizeUrl(clientId, 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', { redirect_uri: uri }),
      );
      expect(response.status, uri).toBe(400);
    }
  });

  it('redirect-URI swap at completion: a code issued for one redirect URI is refused with another', async () => {
    const { clientId, code, verifier } = await codeFor();
    const response = await tokenRequest({
      grant_type: 'authorization_code',
      code,
      redirect_uri: 'http://localhost:4444/callback',
      client_id: clientId,
      code_verifier: verifier,
      resource: MCP_URL,
    });
    expect(await oauthError(response)).toBe('invalid_grant');
  });

  for (const uri of [
    'javascript:alert(document.cookie)',
    'data:text/html,<script>alert(1)</script>',
    'file:///etc/passwd',
    'vbscript:msgbox',
    'http://evil.example/callback',
    'https://user:pass@evil.example/cb',
    'https://app.example/cb#fragment',
  ]) {
    it(`registration of the redirect URI ${uri.slice(0, 30)} is refused`, async () => {
      const response = await register({ redirect_uris: [uri] });
      expect(response.status).toBe(400);
      expect(['invalid_redirect_uri', 'invalid_client_metadata']).toContain(
        (await response.json<{ error: string }>()).error,
      );
    });
  }

  it('http is allowed for loopback redirect URIs only', async () => {
    expect((await register({ redirect_uris: ['http://127.0.0.1:9999/cb'] })).status).toBe(201);
    expect((await register({ redirect_uris: ['https://app.example.com/cb'] })).status).toBe(201);
  });
});

describe('registration bounds (docs/security.md 7)', () => {
  it('more than ten redirect URIs are refused', async () => {
    const uris = Array.from({ length: 11 }, (_, i) => `http://localhost:${5000 + i}/cb`);
    expect((await register({ redirect_uris: uris })).status).toBe(400);
  });

  it('oversized client metadata is refused', async () => {
    const response = await register({ client_name: 'n', software_id: 'x'.repeat(9000) });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('under 8192 bytes');
  });

  it('a body over 1 MiB is refused with 413, not read to the end', async () => {
    const response = await SELF.fetch(`${ORIGIN}/register`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: `{"client_name":"${'x'.repeat(1_100_000)}"}`,
    });
    expect(response.status).toBe(413);
  });

  it('malformed JSON is refused with 400', async () => {
    const response = await SELF.fetch(`${ORIGIN}/register`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"redirect_uris": [',
    });
    expect(response.status).toBe(400);
  });

  it('registrations are rate-limited per client IP', async () => {
    const registerFrom = (ip: string) =>
      SELF.fetch(`${ORIGIN}/register`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'CF-Connecting-IP': ip },
        body: JSON.stringify({ redirect_uris: [REDIRECT_URI], token_endpoint_auth_method: 'none' }),
      });
    const ip = () =>
      `2001:db8::${Array.from(crypto.getRandomValues(new Uint16Array(2)), (n) => n.toString(16)).join(':')}`; // fresh per run
    const flooder = ip();
    const statuses: number[] = [];
    for (let i = 0; i < 8; i += 1) statuses.push((await registerFrom(flooder)).status);
    expect(statuses, statuses.join(' ')).toEqual([201, 201, 201, 201, 201, 429, 429, 429]);
    expect((await registerFrom(ip())).status).toBe(201);
  });

  it('an overlong client name is refused', async () => {
    expect((await register({ client_name: 'x'.repeat(201) })).status).toBe(400);
  });
});

describe('RFC 9728 and audience (docs/security.md 8)', () => {
  it('serves protected resource metadata naming this resource', async () => {
    const response = await SELF.fetch(`${ORIGIN}/.well-known/oauth-protected-resource/mcp`);
    expect((await response.json<{ resource: string }>()).resource).toBe(MCP_URL);
  });

  it('every 401 on /mcp carries WWW-Authenticate with resource_metadata', async () => {
    for (const token of [undefined, 'garbage', 'user:grant:secret']) {
      const response = await mcpRequest(token);
      expect(response.status).toBe(401);
      expect(response.headers.get('WWW-Authenticate')).toContain(
        `resource_metadata="${ORIGIN}/.well-known/oauth-protected-resource/mcp"`,
      );
    }
  });

  it('a token for another resource (another origin) gets 401', async () => {
    const { access_token } = await signIn(access);
    expect((await mcpRequest(access_token)).status).toBe(200);
    const elsewhere = await mcpRequest(access_token, { url: 'http://127.0.0.1:8788/mcp' });
    expect(elsewhere.status).toBe(401);
  });

  it('a mismatched resource at the token endpoint gets invalid_target', async () => {
    const { clientId, code, verifier } = await codeFor();
    const response = await tokenRequest({
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT_URI,
      client_id: clientId,
      code_verifier: verifier,
      resource: 'https://other.example/mcp',
    });
    expect(await oauthError(response)).toBe('invalid_target');
  });

  it('a mismatched resource at /authorize is refused', async () => {
    const clientId = await registerClient();
    const response = await new Browser().fetch(
      authorizeUrl(clientId, 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', { resource: 'https://other.example/mcp' }),
    );
    expect(response.status).toBe(302);
    expect(new URL(response.headers.get('Location')!).searchParams.get('error')).toBe('invalid_target');
  });
});

describe('token lifecycle (docs/security.md 9)', () => {
  it('access tokens are short-lived (15 minutes) and grants end within an Access session (24 h)', async () => {
    const { clientId, code, verifier } = await codeFor();
    const response = await tokenRequest({
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT_URI,
      client_id: clientId,
      code_verifier: verifier,
      resource: MCP_URL,
    });
    const tokens = await response.json<{ expires_in: number; refresh_token: string }>();
    expect(tokens.expires_in).toBeLessThanOrEqual(15 * 60);
    expect(tokens.refresh_token).toBeTruthy();
    const [userId, grantId] = tokens.refresh_token.split(':'); // tokens are userId:grantId:secret
    const grant = (await env.OAUTH_KV.get(`grant:${userId}:${grantId}`, 'json')) as { expiresAt?: number };
    expect(grant.expiresAt).toBeDefined();
    expect(grant.expiresAt! - Date.now() / 1000).toBeLessThanOrEqual(24 * 60 * 60 + 5);
  });

  it('refresh-token reuse after rotation is refused', async () => {
    const first = await signIn(access);
    const refresh = (token: string) =>
      tokenRequest({ grant_type: 'refresh_token', refresh_token: token, client_id: first.clientId, resource: MCP_URL });
    const second = await (await refresh(first.refresh_token)).json<{ refresh_token: string }>();
    expect(second.refresh_token).toBeTruthy();
    expect(second.refresh_token).not.toBe(first.refresh_token);
    const third = await refresh(second.refresh_token); // the new token is used: the old one is now dead
    expect(third.status).toBe(200);
    expect(await oauthError(await refresh(first.refresh_token))).toBe('invalid_grant');
  });

  it('a refresh token is refused for another client', async () => {
    const victim = await signIn(access);
    const attackerClient = await registerClient();
    const response = await tokenRequest({
      grant_type: 'refresh_token',
      refresh_token: victim.refresh_token,
      client_id: attackerClient,
      resource: MCP_URL,
    });
    expect(await oauthError(response)).toBe('invalid_grant');
  });

  it("revocation of another client's token does nothing to it", async () => {
    const victim = await signIn(access);
    const attackerClient = await registerClient();
    await SELF.fetch(`${ORIGIN}/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        token: victim.access_token,
        token_type_hint: 'access_token',
        client_id: attackerClient,
      }),
    });
    await SELF.fetch(`${ORIGIN}/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        token: victim.refresh_token,
        token_type_hint: 'refresh_token',
        client_id: attackerClient,
      }),
    });
    expect((await mcpRequest(victim.access_token)).status).toBe(200);
  });

  it('a client revoking its own token (RFC 7009) ends it, even right after using it', async () => {
    const own = await signIn(access);
    // Used first, so this isolate remembers the token's record (access/token-record-cache.ts).
    expect((await mcpRequest(own.access_token)).status).toBe(200);
    const response = await SELF.fetch(`${ORIGIN}/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: own.access_token, token_type_hint: 'access_token', client_id: own.clientId }),
    });
    expect(response.status).toBe(200);
    expect((await mcpRequest(own.access_token)).status).toBe(401);
  });
});

describe('offboarding (docs/security.md 9)', () => {
  const adminToken = 'security-admin-token-0123456789abcdef012345';
  const revoke = (email: string, token: string | null = adminToken) =>
    SELF.fetch(`${ORIGIN}/admin/revoke-user`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...(token !== null ? { Authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ email }),
    });

  it('revoking a user ends every one of their tokens; the next request gets 401', async () => {
    const laptop = await signIn(access);
    const phone = await signIn(access);
    expect((await mcpRequest(laptop.access_token)).status).toBe(200);
    const response = await revoke('Alice@Example.com');
    expect(response.status).toBe(200);
    expect((await response.json<{ revokedGrants: number }>()).revokedGrants).toBeGreaterThanOrEqual(2);
    expect((await mcpRequest(laptop.access_token)).status).toBe(401);
    expect((await mcpRequest(phone.access_token)).status).toBe(401);
    const refreshed = await tokenRequest({
      grant_type: 'refresh_token',
      refresh_token: phone.refresh_token,
      client_id: phone.clientId,
      resource: MCP_URL,
    });
    expect(await oauthError(refreshed)).toBe('invalid_grant');
  });

  it("revoking one user leaves another user's tokens alone", async () => {
    const { BOB } = await import('./fake-access.ts');
    access.idToken = (nonce) => access.sign({ ...BOB, nonce });
    const bob = await signIn(access);
    await revoke('alice@example.com');
    expect((await mcpRequest(bob.access_token)).status).toBe(200);
  });

  it('the operator route refuses a missing or wrong token', async () => {
    expect((await revoke('alice@example.com', null)).status).toBe(401);
    expect((await revoke('alice@example.com', '')).status).toBe(401);
    expect((await revoke('alice@example.com', `${adminToken}x`)).status).toBe(401);
    expect((await revoke('alice@example.com', 'security-admin-token-0123456789abcdef01234X')).status).toBe(401);
  });
});
