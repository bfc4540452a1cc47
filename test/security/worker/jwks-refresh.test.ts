/**
 * The Access JWKS cache (docs/security.md 2): a key Access rotates in is picked up on its first
 * unknown `kid`, and a flood of tokens naming unknown `kid`s cannot make the Worker hammer
 * Access: at most one refetch per cooldown (30 s).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import { accessKeySet, IdTokenError, verifyIdToken } from '../../../worker/src/access/id-token.ts';

const issuer = 'https://team.cloudflareaccess.com/cdn-cgi/access/sso/oidc/jwks-test';
const clientId = 'jwks-test';

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

async function key(kid: string) {
  const pair = await generateKeyPair('RS256');
  return {
    kid,
    privateKey: pair.privateKey,
    jwk: { ...(await exportJWK(pair.publicKey)), kid, alg: 'RS256', use: 'sig' } as JWK,
  };
}

/** A JWKS endpoint at a URL of its own (the key set cache is per URL), counting fetches. */
function jwksEndpoint(published: JWK[]) {
  const url = `https://team.cloudflareaccess.com/cdn-cgi/access/sso/oidc/jwks-test/jwks?case=${crypto.randomUUID()}`;
  const counter = { fetches: 0, published };
  const original = globalThis.fetch;
  vi.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
    const request = new Request(input, init);
    if (request.url !== url) return original(input, init);
    counter.fetches += 1;
    return Response.json({ keys: counter.published });
  });
  return { url, counter };
}

function idToken(signer: { kid: string; privateKey: CryptoKey }) {
  return new SignJWT({ email: 'alice@example.com', nonce: 'n' })
    .setProtectedHeader({ alg: 'RS256', kid: signer.kid })
    .setIssuer(issuer)
    .setAudience(clientId)
    .setSubject('alice')
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(signer.privateKey);
}

const verify = (token: string, jwksUrl: string) =>
  verifyIdToken(token, { issuer, clientId, nonce: 'n', keys: accessKeySet(jwksUrl) });

describe('JWKS cache and unknown kid', () => {
  it('caches the key set: many sign-ins, one fetch', async () => {
    const k1 = await key('k1');
    const { url, counter } = jwksEndpoint([k1.jwk]);
    for (let i = 0; i < 5; i += 1) await verify(await idToken(k1), url);
    expect(counter.fetches).toBe(1);
  });

  it('a rotated-in key (unknown kid) triggers a refetch and verifies', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const k1 = await key('k1');
    const k2 = await key('k2');
    const { url, counter } = jwksEndpoint([k1.jwk]);
    await verify(await idToken(k1), url);
    counter.published = [k1.jwk, k2.jwk]; // Access rotates a new key in
    vi.advanceTimersByTime(31_000); // past the cooldown since the first fetch
    const user = await verify(await idToken(k2), url);
    expect(user.email).toBe('alice@example.com');
    expect(counter.fetches).toBe(2);
  });

  it('a flood of unknown kids refetches at most once per cooldown', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const k1 = await key('k1');
    const { url, counter } = jwksEndpoint([k1.jwk]);
    await verify(await idToken(k1), url);
    const forger = await key('forged');
    const errors: unknown[] = [];
    for (let i = 0; i < 50; i += 1) {
      errors.push(await verify(await idToken({ ...forger, kid: `forged-${i}` }), url).catch((e: unknown) => e));
    }
    expect(errors.every((e) => e instanceof IdTokenError)).toBe(true);
    expect(counter.fetches).toBeLessThanOrEqual(2);
    vi.advanceTimersByTime(31_000);
    for (let i = 0; i < 50; i += 1) await verify(await idToken({ ...forger, kid: `late-${i}` }), url).catch(() => {});
    expect(counter.fetches).toBeLessThanOrEqual(3);
  });
});
