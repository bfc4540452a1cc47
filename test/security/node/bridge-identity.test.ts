/**
 * Attacks on the bridge itself (docs/security.md 10, 12): whoever reaches its port without the
 * Worker's signed identity (none, forged, expired, for another upstream, unsigned) gets 401, and
 * one user's session id is worth nothing to another user.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignJWT } from 'jose';
import { startBridge, type RunningBridge } from '../../../container/src/bridge.ts';
import {
  IDENTITY_HEADER,
  identityAuthenticator,
  signIdentityToken,
  verifyIdentityToken,
} from '../../../container/src/identity-token.ts';

const key = 'bridge-test-identity-key-0123456789abcdef';
let bridge: RunningBridge;
let audience = '';
const refusals: string[] = [];

/** A minimal stdio MCP server: answers initialize and tools/list. */
const stdioServer = [
  process.execPath,
  '-e',
  `const rl = require('node:readline').createInterface({ input: process.stdin });
   const send = (m) => process.stdout.write(JSON.stringify(m) + '\\n');
   rl.on('line', (line) => { const m = JSON.parse(line);
     if (m.method === 'initialize') send({ jsonrpc: '2.0', id: m.id, result: { protocolVersion: m.params.protocolVersion, capabilities: { tools: {} }, serverInfo: { name: 't', version: '1' } } });
     else if (m.method === 'tools/list') send({ jsonrpc: '2.0', id: m.id, result: { tools: [] } }); });`,
];

beforeAll(async () => {
  bridge = await startBridge({
    command: stdioServer,
    port: 0,
    authenticate: identityAuthenticator({
      key,
      audience: () => audience,
      onRefused: (reason) => refusals.push(reason),
    }),
    logger: () => {},
  });
  audience = `${bridge.url}/mcp`;
});
afterAll(async () => {
  await bridge?.close();
});

const initialize = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'attack', version: '1' } },
};

function post(body: object, headers: Record<string, string> = {}) {
  return fetch(`${bridge.url}/mcp`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream', ...headers },
    body: JSON.stringify(body),
  });
}

/** Posts an initialize that must get 401, and returns the one reason the bridge logged for it. */
async function refusalFor(headers: Record<string, string>): Promise<string | undefined> {
  const before = refusals.length;
  expect((await post(initialize, headers)).status).toBe(401);
  const logged = refusals.slice(before);
  expect(logged).toHaveLength(1);
  return logged[0];
}

const alice = { userKey: 'sub-alice', email: 'alice@example.com', groups: ['engineering'] };
const bob = { userKey: 'sub-bob', email: 'bob@example.com', groups: [] };
const identityFor = (user: typeof alice, options: { key?: string; audience?: string; now?: number } = {}) =>
  signIdentityToken(user, { key: options.key ?? key, audience: options.audience ?? audience, now: options.now });

describe('the bridge refuses requests without a valid Worker-signed identity', () => {
  it('no identity header: 401', async () => {
    expect(await refusalFor({})).toBe('no identity header');
  });

  it('only a bearer token (token passthrough): 401', async () => {
    expect(await refusalFor({ Authorization: 'Bearer alice:grant:secret' })).toBe('no identity header');
  });

  it('forged identity (signed with another key): 401', async () => {
    const forged = await identityFor(alice, { key: 'attacker-chosen-key-0123456789abcdefgh' });
    expect(await refusalFor({ [IDENTITY_HEADER]: forged })).toBe(
      'the identity token was refused (ERR_JWS_SIGNATURE_VERIFICATION_FAILED)',
    );
  });

  it('tampered identity (payload changed after signing): 401', async () => {
    const [header, , signature] = (await identityFor(alice)).split('.');
    const payload = btoa(
      JSON.stringify({
        iss: 'secure-mcp-worker',
        sub: 'sub-admin',
        email: 'ceo@example.com',
        groups: ['admins'],
        aud: audience,
        iat: Math.floor(Date.now() / 1000),
        exp: Math.floor(Date.now() / 1000) + 60,
      }),
    )
      .replace(/=+$/, '')
      .replace(/\+/g, '-')
      .replace(/\//g, '_');
    expect(await refusalFor({ [IDENTITY_HEADER]: `${header}.${payload}.${signature}` })).toBe(
      'the identity token was refused (ERR_JWS_SIGNATURE_VERIFICATION_FAILED)',
    );
  });

  it('expired identity (replayed after its minute): 401', async () => {
    const old = await identityFor(alice, { now: Date.now() - 5 * 60_000 });
    expect(await refusalFor({ [IDENTITY_HEADER]: old })).toBe('the identity token was refused (ERR_JWT_EXPIRED)');
  });

  it('identity for another upstream (aud): 401', async () => {
    const elsewhere = await identityFor(alice, { audience: 'http://127.0.0.1:1/mcp' });
    expect(await refusalFor({ [IDENTITY_HEADER]: elsewhere })).toBe(
      'the identity token was refused (ERR_JWT_CLAIM_VALIDATION_FAILED)',
    );
  });

  it('unsigned identity (alg none): 401', async () => {
    const encode = (value: object) =>
      btoa(JSON.stringify(value)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
    const now = Math.floor(Date.now() / 1000);
    const unsigned = `${encode({ alg: 'none', typ: 'secure-mcp-identity+jwt' })}.${encode({ iss: 'secure-mcp-worker', sub: 'x', email: 'x@example.com', groups: [], aud: audience, iat: now, exp: now + 60 })}.`;
    expect(await refusalFor({ [IDENTITY_HEADER]: unsigned })).toBe(
      'the identity token was refused (ERR_JOSE_ALG_NOT_ALLOWED)',
    );
  });

  it('identity with a lifetime longer than a minute: 401', async () => {
    const now = Math.floor(Date.now() / 1000);
    const longLived = await new SignJWT({ email: alice.email, groups: [] })
      .setProtectedHeader({ alg: 'HS256', typ: 'secure-mcp-identity+jwt' })
      .setIssuer('secure-mcp-worker')
      .setSubject(alice.userKey)
      .setAudience(audience)
      .setIssuedAt(now - 3600)
      .setExpirationTime(now + 3600)
      .sign(new TextEncoder().encode(key));
    expect(await refusalFor({ [IDENTITY_HEADER]: longLived })).toBe('the identity token was refused (ERR_JWT_EXPIRED)');
  });

  it('a valid identity is served, and logs no refusal', async () => {
    const before = refusals.length;
    const response = await post(initialize, { [IDENTITY_HEADER]: await identityFor(alice) });
    expect(response.status).toBe(200);
    expect(refusals.slice(before)).toEqual([]);
  });
});

describe('sessions are not authentication (docs/security.md 12)', () => {
  it('a session id of user A presented by user B finds nothing', async () => {
    const opened = await post(initialize, { [IDENTITY_HEADER]: await identityFor(alice) });
    const sessionId = opened.headers.get('mcp-session-id');
    expect(sessionId).toBeTruthy();
    await opened.body?.cancel();
    const list = { jsonrpc: '2.0', id: 2, method: 'tools/list' };
    const asBob = await post(list, {
      'mcp-session-id': sessionId!,
      'mcp-protocol-version': '2025-06-18',
      [IDENTITY_HEADER]: await identityFor(bob),
    });
    expect(asBob.status).toBe(404);
    const asNobody = await post(list, { 'mcp-session-id': sessionId!, 'mcp-protocol-version': '2025-06-18' });
    expect(asNobody.status).toBe(401);
    const asAlice = await post(list, {
      'mcp-session-id': sessionId!,
      'mcp-protocol-version': '2025-06-18',
      [IDENTITY_HEADER]: await identityFor(alice),
    });
    expect(asAlice.status).toBe(200);
    await asAlice.body?.cancel();
  });
});

describe('identity token', () => {
  it('round-trips the user and refuses a short key', async () => {
    const token = await identityFor(alice);
    expect(await verifyIdentityToken(token, { key, audience })).toEqual(alice);
    await expect(signIdentityToken(alice, { key: 'short', audience })).rejects.toThrow(/at least 32/);
    expect(() => identityAuthenticator({ key: 'short', audience })).toThrow(/at least 32/);
  });
});
