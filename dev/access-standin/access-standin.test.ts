import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessPolicies } from '../../policies/access.ts';
import { authorizationRequest, standInOptions, TEST_CLIENT } from '../../test/support/access-standin-client.ts';
import { BrowserSession } from '../browser-session.ts';
import {
  accessSubjectFor,
  loadDevUsers,
  signInAtAccess,
  startAccessStandIn,
  type RunningAccessStandIn,
} from './index.ts';

const { clientId, clientSecret, redirectUri } = TEST_CLIENT;

let standIn: RunningAccessStandIn;
const logLines: string[] = [];

beforeAll(async () => {
  standIn = await startAccessStandIn(
    standInOptions({
      users: await loadDevUsers(),
      policies: accessPolicies,
      logger: (line) => logLines.push(line),
    }),
  );
});
afterAll(() => standIn.close());

type ClientAuth = { method: 'post' | 'basic'; secret: string };

function tokenRequest(
  params: Record<string, string>,
  auth: ClientAuth = { method: 'post', secret: clientSecret },
): Promise<Response> {
  const headers: Record<string, string> = {
    'Content-Type': 'application/x-www-form-urlencoded',
    Accept: 'application/json',
  };
  const body = new URLSearchParams(params);
  if (auth.method === 'post') {
    body.set('client_id', clientId);
    body.set('client_secret', auth.secret);
  } else {
    headers.Authorization = `Basic ${Buffer.from(`${clientId}:${auth.secret}`).toString('base64')}`;
  }
  return fetch(standIn.tokenUrl, { method: 'POST', headers, body });
}

/** Signs `email` in with a fresh browser and returns the code sent back to the relying party. */
async function codeFor(email: string, request = authorizationRequest(standIn)): Promise<string> {
  const result = await signInAtAccess(new BrowserSession(), request.url, email);
  if (result.outcome !== 'redirected') throw new Error(`expected a redirect for ${email}, got ${result.outcome}`);
  const code = new URL(result.location).searchParams.get('code');
  if (!code) throw new Error(`no code in ${result.location}`);
  return code;
}

describe('Access stand-in', () => {
  it('signs alice in with authorization code + PKCE; the id_token verifies against the JWKS', async () => {
    const request = authorizationRequest(standIn);
    const result = await signInAtAccess(new BrowserSession(), request.url, 'alice@example.com');

    expect(result.outcome).toBe('redirected');
    const location = new URL((result as { location: string }).location);
    expect(location.origin + location.pathname).toBe(redirectUri);
    expect(location.searchParams.get('state')).toBe(request.state);
    const code = location.searchParams.get('code')!;
    expect(code).toBeTruthy();

    const response = await tokenRequest({
      grant_type: 'authorization_code',
      code,
      redirect_uri: redirectUri,
      code_verifier: request.verifier,
    });
    expect(response.status).toBe(200);
    const tokens = (await response.json()) as { id_token: string; access_token: string; refresh_token?: string };
    expect(tokens.refresh_token).toBeTruthy();

    const { payload, protectedHeader } = await jwtVerify(
      tokens.id_token,
      createRemoteJWKSet(new URL(standIn.jwksUrl)),
      {
        issuer: standIn.issuer,
        audience: clientId,
        algorithms: ['RS256'],
      },
    );
    expect(protectedHeader.alg).toBe('RS256');
    expect(payload).toMatchObject({
      sub: accessSubjectFor('alice@example.com'),
      email: 'alice@example.com',
      name: 'Alice Example',
      groups: ['engineering'],
      nonce: request.nonce,
    });
    expect(logLines).toContainEqual(expect.stringMatching(/sign-in allowed for alice@example\.com .*"employees"/));
  });

  it.each([
    { email: 'mallory@example.com', because: 'contractors-not-in-prod' },
    { email: 'eve@outside.test', because: 'no include rule matches' },
  ])('refuses $email with Access’s 403 page, and no code', async ({ email, because }) => {
    const browser = new BrowserSession();
    const request = authorizationRequest(standIn);
    const result = await signInAtAccess(browser, request.url, email);

    expect(result.outcome).toBe('refused');
    const { status, html } = result as { status: number; html: string };
    expect(status).toBe(403);
    expect(html).toContain("<h1>You don't have access to this application</h1>");
    expect(html).toContain(email);
    expect(html).toContain(because);
    expect(html).toContain('local Access stand-in');
    expect(logLines).toContainEqual(expect.stringContaining(`sign-in refused for ${email}`));

    // Nothing was signed in: the same browser is asked to log in again.
    const again = await browser.follow(request.url);
    expect(again.stopped).toBe(false);
    expect(again.url.pathname).toMatch(/^\/cdn-cgi\/access\/login\//);
  });

  it('shows the login page again, with an escaped error, for an unknown email', async () => {
    const result = await signInAtAccess(
      new BrowserSession(),
      authorizationRequest(standIn).url,
      '<b>nobody</b>@example.com',
    );

    expect(result.outcome).toBe('unknown-user');
    const { html } = result as { html: string };
    expect(html).toContain('<title>Sign in — secure-mcp local Access</title>');
    expect(html).toContain('&#60;b&#62;nobody&#60;/b&#62;@example.com is not one of the dev users');
    expect(html).not.toContain('<b>nobody</b>');
  });

  it('serves a login page listing the dev users, whose forms post email to the page itself', async () => {
    const { response, url } = (await new BrowserSession().follow(authorizationRequest(standIn).url)) as {
      response: Response;
      url: URL;
    };
    const html = await response.text();

    expect(response.status).toBe(200);
    expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(html).toContain('<title>Sign in — secure-mcp local Access</title>');
    for (const email of ['alice@example.com', 'bob@example.com', 'mallory@example.com']) {
      expect(html).toContain(`<button type="submit" name="email" value="${email}">`);
    }
    expect(html).toContain(`<form class="users" method="post" action="${url.pathname}">`);
    expect(html).toContain('<input id="email" name="email" type="email"');
  });

  it('keeps its cookies to Access paths, so the Worker on the same host never receives them', async () => {
    const browser = new BrowserSession();
    await signInAtAccess(browser, authorizationRequest(standIn).url, 'alice@example.com');
    expect(await browser.cookies.getCookieString(`${standIn.issuer}/authorization`)).toContain('standin_session=');
    expect(await browser.cookies.getCookieString(`http://localhost:${standIn.port}/callback`)).toBe('');
  });

  it('does not ask a browser that is already signed in again (an Access session)', async () => {
    const browser = new BrowserSession();
    await signInAtAccess(browser, authorizationRequest(standIn).url, 'bob@example.com');
    const decisions = logLines.length;

    const second = await browser.follow(authorizationRequest(standIn).url, undefined, {
      until: (url) => url.port === '9',
    });
    expect(second.stopped).toBe(true);
    expect(second.url.searchParams.get('code')).toBeTruthy();
    expect(logLines.length).toBe(decisions);
  });

  it('refuses to switch a signed-in browser to another user', async () => {
    const browser = new BrowserSession();
    await signInAtAccess(browser, authorizationRequest(standIn).url, 'alice@example.com');

    const login = await browser.follow(authorizationRequest(standIn, { prompt: 'login' }).url);
    expect(login.stopped).toBe(false);
    const response = await browser.fetch(login.url, {
      method: 'POST',
      body: new URLSearchParams({ email: 'bob@example.com' }),
    });
    expect(response.status).toBe(409);
    expect(await response.text()).toContain('already signed in as alice@example.com');
  });

  it('publishes a discovery document with Access-style endpoint URLs', async () => {
    const response = await fetch(`${standIn.issuer}/.well-known/openid-configuration`);
    const discovery = (await response.json()) as Record<string, unknown>;

    expect(standIn.issuer).toBe(`http://localhost:${standIn.port}/cdn-cgi/access/sso/oidc/${clientId}`);
    expect(discovery).toMatchObject({
      issuer: standIn.issuer,
      authorization_endpoint: `${standIn.issuer}/authorization`,
      token_endpoint: `${standIn.issuer}/token`,
      jwks_uri: `${standIn.issuer}/jwks`,
      userinfo_endpoint: `${standIn.issuer}/userinfo`,
      code_challenge_methods_supported: ['S256'],
      response_types_supported: ['code'],
      grant_types_supported: ['authorization_code', 'refresh_token'],
      scopes_supported: ['openid', 'email', 'profile', 'groups'],
      id_token_signing_alg_values_supported: ['RS256'],
    });
    expect(discovery.token_endpoint_auth_methods_supported).toEqual(
      expect.arrayContaining(['client_secret_post', 'client_secret_basic']),
    );
    expect([standIn.authorizationUrl, standIn.tokenUrl, standIn.jwksUrl, standIn.userinfoUrl]).toEqual([
      discovery.authorization_endpoint,
      discovery.token_endpoint,
      discovery.jwks_uri,
      discovery.userinfo_endpoint,
    ]);
  });

  it('accepts client_secret_basic as well as client_secret_post', async () => {
    const request = authorizationRequest(standIn);
    const code = await codeFor('alice@example.com', request);
    const response = await tokenRequest(
      { grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: request.verifier },
      { method: 'basic', secret: clientSecret },
    );
    expect(response.status).toBe(200);
  });

  it.each(['post', 'basic'] as const)(
    'refuses a wrong client secret at the token endpoint (client_secret_%s)',
    async (method) => {
      const request = authorizationRequest(standIn);
      const code = await codeFor('alice@example.com', request);
      const response = await tokenRequest(
        { grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: request.verifier },
        { method, secret: 'wrong-secret' },
      );
      expect(response.status).toBe(401);
      expect(await response.json()).toMatchObject({ error: 'invalid_client' });
    },
  );

  it('refuses a code redeemed with the wrong PKCE verifier', async () => {
    const code = await codeFor('alice@example.com');
    const response = await tokenRequest({
      grant_type: 'authorization_code',
      code,
      redirect_uri: redirectUri,
      code_verifier: randomBytes(32).toString('base64url'),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: 'invalid_grant' });
  });

  it('requires PKCE on every authorization request', async () => {
    const url = new URL(authorizationRequest(standIn).url);
    url.searchParams.delete('code_challenge');
    url.searchParams.delete('code_challenge_method');
    const result = await new BrowserSession().follow(url, undefined, { until: (next) => next.port === '9' });

    expect(result.stopped).toBe(true);
    expect(result.url.searchParams.get('error')).toBe('invalid_request');
    expect(result.url.searchParams.get('error_description')).toContain('PKCE');
  });

  it('shows its error page, without redirecting, for an unregistered redirect URI', async () => {
    const { response } = (await new BrowserSession().follow(
      authorizationRequest(standIn, { redirect_uri: 'http://evil.test/callback' }).url,
    )) as {
      response: Response;
    };
    expect(response.status).toBe(400);
    expect(response.headers.get('location')).toBeNull();
    expect(await response.text()).toContain('Sign-in failed');
  });

  it('refuses a login page opened in another browser', async () => {
    const started = await new BrowserSession().follow(authorizationRequest(standIn).url);
    const response = await new BrowserSession().fetch(started.url, {
      method: 'POST',
      body: new URLSearchParams({ email: 'alice@example.com' }),
    });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('started in another browser');
  });

  it('issues refresh tokens and serves userinfo', async () => {
    const request = authorizationRequest(standIn);
    const code = await codeFor('bob@example.com', request);
    const first = (await (
      await tokenRequest({
        grant_type: 'authorization_code',
        code,
        redirect_uri: redirectUri,
        code_verifier: request.verifier,
      })
    ).json()) as { refresh_token: string };

    const refreshed = await tokenRequest({ grant_type: 'refresh_token', refresh_token: first.refresh_token });
    expect(refreshed.status).toBe(200);
    const { access_token } = (await refreshed.json()) as { access_token: string };

    const userinfo = await fetch(standIn.userinfoUrl, { headers: { Authorization: `Bearer ${access_token}` } });
    expect(await userinfo.json()).toEqual({
      sub: accessSubjectFor('bob@example.com'),
      email: 'bob@example.com',
      name: 'Bob Example',
      groups: ['support'],
    });
  });

  it('answers 404 outside the Access paths', async () => {
    const response = await fetch(`http://localhost:${standIn.port}/`);
    expect(response.status).toBe(404);
  });
});

describe('startAccessStandIn', () => {
  it('frees its port on close()', async () => {
    const running = await startAccessStandIn(standInOptions({ users: await loadDevUsers(), policies: accessPolicies }));
    await fetch(`${running.issuer}/jwks`); // leaves a keep-alive connection open
    await running.close();

    const probe = createServer();
    const listened = new Promise<void>((resolve, reject) => {
      probe.once('error', reject);
      probe.listen(running.port, '127.0.0.1', resolve);
    });
    await expect(listened).resolves.toBeUndefined(); // EADDRINUSE would reject
    await new Promise<void>((resolve) => probe.close(() => resolve()));
  });

  it('refuses a redirect URI that is not a web URL when it starts', async () => {
    await expect(
      startAccessStandIn(
        standInOptions({
          redirectUris: ['javascript:alert(1)'],
          users: await loadDevUsers(),
          policies: accessPolicies,
        }),
      ),
    ).rejects.toThrow('startAccessStandIn: invalid client options: redirect_uris must only contain web uris');
  });

  it('refuses invalid users before it listens', async () => {
    await expect(
      startAccessStandIn(
        standInOptions({ users: [{ email: 'not-an-email', name: 'X', groups: [] }], policies: accessPolicies }),
      ),
    ).rejects.toThrow(/options\.users: users\[0\] \("not-an-email"\) needs "email"/);
  });
});
