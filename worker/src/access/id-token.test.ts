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
    expect(user).toMatchObject({ sub: 'user-1', email: 'alice@example.com', name: 'Alice', groups: ['engineering'] });
  });

  it('keeps the shape of every claim, never a value', async () => {
    const user = await verifyIdToken(await idToken(), { issuer, clientId, nonce, keys });
    expect(user.claims).toEqual({
      aud: 'a string',
      email: 'a string',
      exp: 'a number',
      groups: 'a list of 1 string',
      iat: 'a number',
      iss: 'a string',
      name: 'a string',
      nonce: 'a string',
      sub: 'a string',
    });
  });

  it('reads group objects by the configured field', async () => {
    const groups = [{ id: '61503835-b6fe-4630-af88-de551dd59a20', name: 'engineering' }];
    const token = await idToken({ groups });
    expect((await verifyIdToken(token, { issuer, clientId, nonce, keys })).groups).toEqual(['engineering']);
    expect((await verifyIdToken(token, { issuer, clientId, nonce, keys, groupsField: 'id' })).groups).toEqual([
      '61503835-b6fe-4630-af88-de551dd59a20',
    ]);
  });

  it('refuses a groups claim it cannot read, saying its shape', async () => {
    expect(await refusal(await idToken({ groups: 'engineering' }))).toBe(
      'the groups claim cannot be read (a string, not a list)',
    );
  });

  it('signs in without a name, showing the email instead', async () => {
    const user = await verifyIdToken(await idToken({ name: undefined }), { issuer, clientId, nonce, keys });
    expect(user.name).toBe('Alice@Example.com');
  });

  it('refuses a token without the nonce unless told to check it only when present', async () => {
    const token = await idToken({ nonce: undefined });
    expect(await refusal(token)).toMatch(/^the token carries no nonce, and this gateway requires the one it sent/);
    const user = await verifyIdToken(token, { issuer, clientId, nonce, keys, nonceMode: 'if-present' });
    expect(user.email).toBe('alice@example.com');
    // Present, a nonce is checked in either mode.
    expect(
      await verifyIdToken(await idToken({ nonce: 'other' }), {
        issuer,
        clientId,
        nonce,
        keys,
        nonceMode: 'if-present',
      }).catch((error: unknown) => (error as IdTokenError).reason),
    ).toBe('the nonce does not match this sign-in');
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
