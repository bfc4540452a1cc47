import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { IdTokenError, verifyIdToken } from './id-token.ts';

const issuer = 'https://team.cloudflareaccess.com/cdn-cgi/access/sso/oidc/client-1';
const clientId = 'client-1';
const nonce = 'nonce-1';

let signingKey: CryptoKey;
let keys: ReturnType<typeof createLocalJWKSet>;

beforeAll(async () => {
  const pair = await generateKeyPair('RS256');
  signingKey = pair.privateKey;
  const jwk: JWK = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  keys = createLocalJWKSet({ keys: [jwk] });
});

function idToken(claims: Record<string, unknown> = {}, options: { expiresIn?: string } = {}) {
  return new SignJWT({ email: 'Alice@Example.com', name: 'Alice', groups: ['engineering'], nonce, ...claims })
    .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
    .setIssuer(issuer)
    .setAudience(clientId)
    .setSubject('user-1')
    .setIssuedAt()
    .setExpirationTime(options.expiresIn ?? '5m')
    .sign(signingKey);
}

async function refusal(token: string, expected = { issuer, clientId, nonce }) {
  const error = await verifyIdToken(token, { ...expected, keys }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(IdTokenError);
  return (error as IdTokenError).reason;
}

describe('verifyIdToken', () => {
  it('returns the user with a lower-cased email', async () => {
    const user = await verifyIdToken(await idToken(), { issuer, clientId, nonce, keys });
    expect(user).toEqual({ sub: 'user-1', email: 'alice@example.com', name: 'Alice', groups: ['engineering'] });
  });

  it('refuses another audience', async () => {
    expect(await refusal(await idToken(), { issuer, clientId: 'other-client', nonce })).toContain('"aud"');
  });

  it('refuses another issuer', async () => {
    expect(await refusal(await idToken(), { issuer: 'https://evil.example', clientId, nonce })).toContain('"iss"');
  });

  it('refuses a nonce from another sign-in', async () => {
    expect(await refusal(await idToken({ nonce: 'other' }))).toBe('the nonce does not match this sign-in');
  });

  it('refuses an expired token', async () => {
    expect(await refusal(await idToken({}, { expiresIn: '-10m' }))).toBe('the token has expired');
  });

  it('refuses an unsigned token (alg none)', async () => {
    const header = btoa(JSON.stringify({ alg: 'none', typ: 'JWT' })).replace(/=+$/, '');
    const body = btoa(
      JSON.stringify({ iss: issuer, aud: clientId, sub: 'x', email: 'a@b.c', nonce, iat: 1, exp: 9999999999 }),
    ).replace(/=+$/, '');
    expect(await refusal(`${header}.${body}.`)).toMatch(/algorithm|malformed/);
  });

  it('refuses a token without an email', async () => {
    expect(await refusal(await idToken({ email: undefined }))).toBe('the token carries no email address');
  });
});
