/**
 * Attacks on the sign-in through Access (docs/security.md 1, 2, 4): state, id_token, upstream tokens.
 * Each test performs the attack against the real Worker in workerd and fails if it works.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { env } from 'cloudflare:test';
import { SignJWT } from 'jose';
import { ALICE, FakeAccess } from './fake-access.ts';
import { approveUpToAccess, Browser, callback, clientCode, pkce, registerClient } from './browser.ts';

let access: FakeAccess;
beforeEach(async () => {
  access = await FakeAccess.start();
});
afterEach(() => {
  vi.restoreAllMocks();
});

/** Runs consent up to Access in a fresh browser; the test then plays Access's return. */
async function startSignIn(browser = new Browser()) {
  const clientId = await registerClient();
  const { challenge } = await pkce();
  const { state, nonce } = await approveUpToAccess(browser, access, clientId, challenge);
  return { browser, clientId, state, nonce };
}

async function expectRefusedPage(response: Response, status: number, text: string) {
  expect(response.status).toBe(status);
  expect(response.headers.get('Location')).toBeNull();
  expect(response.headers.get('Content-Type')).toContain('text/html');
  const html = await response.text();
  expect(html).toContain(text);
  expect(html).not.toMatch(/at \w+ \(|Error:|stack/); // a plain page, never a stack trace
}

describe('state (docs/security.md 1)', () => {
  it('forged state: a state the Worker never issued is refused', async () => {
    const { browser } = await startSignIn();
    await expectRefusedPage(await callback(browser, 'forged-state-value'), 400, 'expired or was already used');
    expect(access.tokenRequests).toHaveLength(0); // nothing reached Access's token endpoint
  });

  it('replayed state: the second use of a state is refused', async () => {
    const { browser, state } = await startSignIn();
    clientCode(await callback(browser, state));
    await expectRefusedPage(await callback(browser, state), 400, 'expired or was already used');
    expect(access.tokenRequests).toHaveLength(1);
  });

  it("state from another browser: a victim's state presented without their cookie is refused", async () => {
    const { state } = await startSignIn();
    const attacker = new Browser();
    await expectRefusedPage(await callback(attacker, state), 400, 'expired or was already used');
    expect(access.tokenRequests).toHaveLength(0);
  });

  it("state from another browser: the attacker's own binding cookie does not fit the victim's state", async () => {
    const victim = await startSignIn();
    const attacker = await startSignIn();
    await expectRefusedPage(await callback(attacker.browser, victim.state), 400, 'expired or was already used');
  });

  it("the state carries nothing of the client's request (kept server-side)", async () => {
    const { state } = await startSignIn();
    expect(state).not.toContain('localhost:3333');
    // 32 random bytes, base64url: room for a lookup key, none for the client's request.
    expect(state).toMatch(/^[\w-]{43}$/);
  });

  it('the state expires within ten minutes', async () => {
    const { browser, state } = await startSignIn();
    const bindingCookie = [...browser.cookies.keys()].find((name) => name.startsWith('__Host-oauth-upstream'));
    expect(bindingCookie, 'a __Host- binding cookie is set for the state').toBeTruthy();
    const keys = await env.OAUTH_KV.list();
    const expirations = keys.keys
      .filter((k) => k.expiration !== undefined && !k.name.startsWith('client:'))
      .map((k) => k.expiration!);
    expect(expirations.length).toBeGreaterThan(0);
    expect(Math.min(...expirations) - Date.now() / 1000).toBeLessThanOrEqual(600 + 5);
    expect(state).toBeTruthy();
  });
});

describe('toward Access (docs/security.md 2)', () => {
  it('sends PKCE S256 and a nonce, and the code exchange carries the verifier for that challenge', async () => {
    const { browser, state } = await startSignIn();
    clientCode(await callback(browser, state));
    const exchange = access.tokenRequests[0]!;
    expect(exchange.get('code_verifier')).toMatch(/^[\w-]{43,}$/);
  });

  async function idTokenAttack(idToken: (nonce: string) => Promise<string>, reason: string | RegExp) {
    access.idToken = idToken;
    const { browser, state } = await startSignIn();
    const response = await callback(browser, state);
    expect(response.status).toBe(401);
    expect(response.headers.get('Location')).toBeNull();
    const html = await response.text();
    expect(html).toContain('could not be verified');
    expect(html).toMatch(reason);
  }

  it('id_token with alg none is refused', async () => {
    await idTokenAttack(async (nonce) => {
      const encode = (value: object) =>
        btoa(JSON.stringify(value)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
      const now = Math.floor(Date.now() / 1000);
      return `${encode({ alg: 'none', typ: 'JWT' })}.${encode({ iss: env.ACCESS_ISSUER, aud: env.ACCESS_CLIENT_ID, sub: ALICE.sub, email: ALICE.email, nonce, iat: now, exp: now + 300 })}.`;
    }, /algorithm|malformed/);
  });

  it('id_token signed with HS256 using the public key as the secret is refused', async () => {
    await idTokenAttack(async (nonce) => {
      const publicKeyBytes = new TextEncoder().encode(JSON.stringify(access.keys[0]!.publicJwk));
      return new SignJWT({ ...ALICE, nonce })
        .setProtectedHeader({ alg: 'HS256', kid: access.keys[0]!.kid })
        .setIssuer(env.ACCESS_ISSUER)
        .setAudience(env.ACCESS_CLIENT_ID)
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(publicKeyBytes);
    }, 'algorithm that is not allowed');
  });

  it('id_token for another audience is refused', async () => {
    await idTokenAttack(
      (nonce) => access.sign({ ...ALICE, nonce }, { audience: 'another-access-app' }),
      '&#34;aud&#34;',
    );
  });

  it('id_token from another issuer is refused', async () => {
    await idTokenAttack(
      (nonce) =>
        access.sign({ ...ALICE, nonce }, { issuer: 'https://evil.cloudflareaccess.com/cdn-cgi/access/sso/oidc/x' }),
      '&#34;iss&#34;',
    );
  });

  it('expired id_token is refused', async () => {
    await idTokenAttack(
      (nonce) => access.sign({ ...ALICE, nonce }, { expiresIn: Math.floor(Date.now() / 1000) - 600 }),
      'expired',
    );
  });

  it('id_token issued in the future, or not yet valid (nbf), is refused', async () => {
    const inAnHour = Math.floor(Date.now() / 1000) + 3600;
    await idTokenAttack(async (nonce) => {
      const key = access.keys[0]!;
      return new SignJWT({ ...ALICE, nonce })
        .setProtectedHeader({ alg: 'RS256', kid: key.kid })
        .setIssuer(env.ACCESS_ISSUER)
        .setAudience(env.ACCESS_CLIENT_ID)
        .setIssuedAt(inAnHour)
        .setExpirationTime(inAnHour + 300)
        .sign(key.privateKey);
    }, '&#34;iat&#34;');
    await idTokenAttack(async (nonce) => {
      const key = access.keys[0]!;
      return new SignJWT({ ...ALICE, nonce })
        .setProtectedHeader({ alg: 'RS256', kid: key.kid })
        .setIssuer(env.ACCESS_ISSUER)
        .setAudience(env.ACCESS_CLIENT_ID)
        .setIssuedAt()
        .setNotBefore(inAnHour)
        .setExpirationTime(inAnHour + 300)
        .sign(key.privateKey);
    }, '&#34;nbf&#34;');
  });

  it('id_token with the nonce of another sign-in is refused', async () => {
    await idTokenAttack(
      (_nonce) => access.sign({ ...ALICE, nonce: 'nonce-of-another-sign-in' }),
      'nonce does not match',
    );
  });

  it('id_token signed by a key Access does not publish (unknown kid) is refused', async () => {
    await access.addKey('attacker-key');
    access.publishedKids = ['key-1'];
    await idTokenAttack((nonce) => access.sign({ ...ALICE, nonce }, { kid: 'attacker-key' }), 'no Access signing key');
  });

  it('a user refused by Access gets a plain page and the client gets access_denied', async () => {
    const { browser, state } = await startSignIn();
    const response = await browser.fetch(
      `http://localhost:8788/callback?${new URLSearchParams({ state, error: 'access_denied' }).toString()}`,
    );
    expect(response.status).toBe(302);
    expect(new URL(response.headers.get('Location')!).searchParams.get('error')).toBe('access_denied');
  });
});

describe('upstream tokens stay home (docs/security.md 4)', () => {
  it("Access's access and refresh tokens never reach the MCP client, the MCP server or a log", async () => {
    const logged: string[] = [];
    for (const method of ['log', 'warn', 'error', 'info'] as const) {
      vi.spyOn(console, method).mockImplementation(
        (...args: unknown[]) => void logged.push(args.map(String).join(' ')),
      );
    }
    const { signIn, mcpRequest } = await import('./browser.ts');
    const tokens = await signIn(access);
    expect(JSON.stringify(tokens)).not.toContain('SECRET');
    await mcpRequest(tokens.access_token);
    const seen = access.upstreamRequests[0]!;
    expect([...seen.headers].flat().join(' ')).not.toContain('SECRET');
    expect(logged.join('\n')).not.toContain('SECRET');
  });
});

describe('the audit record of a sign-in (docs/security.md 15)', () => {
  it('a successful sign-in writes one sign_in record: the user id its tokens carry, the verified claims, the client', async () => {
    const logged: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void logged.push(args.map(String).join(' ')));
    const { signIn } = await import('./browser.ts');
    const tokens = await signIn(access);
    const records = logged
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((record) => record.event === 'sign_in');
    expect(records).toEqual([
      {
        event: 'sign_in',
        time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
        userId: tokens.access_token.split(':')[0],
        user: { sub: ALICE.sub, email: ALICE.email, groups: ALICE.groups },
        clientId: tokens.clientId,
      },
    ]);
  });

  it('a refused sign-in writes no sign_in record', async () => {
    const logged: string[] = [];
    for (const method of ['log', 'warn'] as const)
      vi.spyOn(console, method).mockImplementation(
        (...args: unknown[]) => void logged.push(args.map(String).join(' ')),
      );
    access.idToken = (nonce) => access.sign({ ...ALICE, nonce }, { audience: 'another-client' });
    const { browser, state } = await startSignIn();
    expect((await callback(browser, state)).status).toBe(401);
    expect(logged.some((line) => line.includes('"event":"sign_in.refused"'))).toBe(true);
    expect(logged.some((line) => line.includes('"event":"sign_in"'))).toBe(false);
  });
});
