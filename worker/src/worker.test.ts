import { SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';

const origin = 'http://localhost:8788';

/** Registers a public client the way an MCP client does (RFC 7591). */
async function registerClient(metadata: Record<string, unknown> = {}) {
  const response = await SELF.fetch(`${origin}/register`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      client_name: 'Test Client',
      redirect_uris: ['http://localhost:3333/callback'],
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      ...metadata,
    }),
  });
  expect(response.status).toBe(201);
  return await response.json<{ client_id: string }>();
}

function authorizeUrl(clientId: string, extra: Record<string, string> = {}) {
  const url = new URL(`${origin}/authorize`);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: clientId,
    redirect_uri: 'http://localhost:3333/callback',
    code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    code_challenge_method: 'S256',
    state: 'client-state',
    resource: `${origin}/mcp`,
    ...extra,
  }).toString();
  return url.href;
}

function cookiesFrom(response: Response): string {
  return response.headers
    .getSetCookie()
    .map((cookie) => cookie.split(';')[0])
    .join('; ');
}

describe('discovery', () => {
  it('answers /mcp without a token with 401 naming the resource metadata', async () => {
    const response = await SELF.fetch(`${origin}/mcp`, { method: 'POST', body: '{}' });
    expect(response.status).toBe(401);
    const challenge = response.headers.get('WWW-Authenticate') ?? '';
    expect(challenge).toMatch(/^Bearer /);
    expect(challenge).toContain(`resource_metadata="${origin}/.well-known/oauth-protected-resource/mcp"`);
  });

  it('serves RFC 9728 protected resource metadata for /mcp', async () => {
    const response = await SELF.fetch(`${origin}/.well-known/oauth-protected-resource/mcp`);
    expect(response.status).toBe(200);
    const metadata = await response.json<{ resource: string; authorization_servers: string[] }>();
    expect(metadata.resource).toBe(`${origin}/mcp`);
    expect(metadata.authorization_servers).toEqual([origin]);
  });

  it('serves RFC 8414 authorization server metadata with S256 only', async () => {
    const response = await SELF.fetch(`${origin}/.well-known/oauth-authorization-server`);
    expect(response.status).toBe(200);
    const metadata = await response.json<Record<string, unknown>>();
    expect(metadata.issuer).toBe(origin);
    expect(metadata.authorization_endpoint).toBe(`${origin}/authorize`);
    expect(metadata.token_endpoint).toBe(`${origin}/token`);
    expect(metadata.registration_endpoint).toBe(`${origin}/register`);
    expect(metadata.code_challenge_methods_supported).toEqual(['S256']);
  });

  it('refuses a bearer token it never issued', async () => {
    const response = await SELF.fetch(`${origin}/mcp`, {
      method: 'POST',
      headers: { Authorization: 'Bearer not-a-real-token', 'Content-Type': 'application/json' },
      body: '{}',
    });
    expect(response.status).toBe(401);
  });
});

describe('consent page', () => {
  it('shows the client name escaped, its redirect URI, and refuses framing', async () => {
    const { client_id } = await registerClient({ client_name: '<script>alert(1)</script> Evil' });
    const response = await SELF.fetch(authorizeUrl(client_id));
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).not.toContain('<script>alert(1)</script>');
    expect(html).toContain('&#60;script&#62;alert(1)&#60;/script&#62; Evil');
    expect(html).toContain('http://localhost:3333/callback');
    expect(response.headers.get('Content-Security-Policy')).toContain("frame-ancestors 'none'");
    expect(response.headers.get('X-Frame-Options')).toBe('DENY');
    expect(response.headers.getSetCookie().some((c) => c.startsWith('__Host-'))).toBe(true);
  });

  it('renders an unknown client as an error page, never a redirect', async () => {
    const response = await SELF.fetch(authorizeUrl('no-such-client'), { redirect: 'manual' });
    expect(response.status).toBe(400);
    expect(response.headers.get('Location')).toBeNull();
    expect(await response.text()).toContain('cannot continue');
  });

  it('sends an approving browser to Access with PKCE S256, a nonce and a state', async () => {
    const { client_id } = await registerClient();
    const page = await SELF.fetch(authorizeUrl(client_id));
    const handle = /name="handle" value="([^"]+)"/.exec(await page.text())?.[1];
    expect(handle).toBeTruthy();
    const approve = await SELF.fetch(`${origin}/authorize`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: cookiesFrom(page) },
      body: new URLSearchParams({ handle: handle!, decision: 'approve' }),
    });
    expect(approve.status).toBe(302);
    const location = new URL(approve.headers.get('Location')!);
    expect(location.origin + location.pathname).toBe(
      'http://localhost:9/cdn-cgi/access/sso/oidc/test-client/authorization',
    );
    expect(location.searchParams.get('client_id')).toBe('test-client');
    expect(location.searchParams.get('redirect_uri')).toBe(`${origin}/callback`);
    expect(location.searchParams.get('code_challenge_method')).toBe('S256');
    expect(location.searchParams.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(location.searchParams.get('nonce')).toBeTruthy();
    expect(location.searchParams.get('state')).toBeTruthy();
    expect(location.searchParams.get('scope')).toBe('openid email profile groups');
  });

  it('sends a denying browser back to the client with access_denied', async () => {
    const { client_id } = await registerClient();
    const page = await SELF.fetch(authorizeUrl(client_id));
    const handle = /name="handle" value="([^"]+)"/.exec(await page.text())?.[1];
    const deny = await SELF.fetch(`${origin}/authorize`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: cookiesFrom(page) },
      body: new URLSearchParams({ handle: handle!, decision: 'deny' }),
    });
    expect(deny.status).toBe(302);
    const location = new URL(deny.headers.get('Location')!);
    expect(location.origin + location.pathname).toBe('http://localhost:3333/callback');
    expect(location.searchParams.get('error')).toBe('access_denied');
    expect(location.searchParams.get('state')).toBe('client-state');
  });
});

describe('callback', () => {
  it('refuses a state it never issued with a plain error page', async () => {
    const response = await SELF.fetch(`${origin}/callback?code=abc&state=forged`);
    expect(response.status).toBe(400);
    expect(response.headers.get('Content-Type')).toContain('text/html');
    expect(await response.text()).toContain('expired or was already used');
  });
});
