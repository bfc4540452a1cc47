import { describe, expect, it, vi } from 'vitest';
import { deriveUpstreamKey, identityAuthenticator, signIdentityToken, verifyIdentityToken } from './identity-token.ts';

const workerKey = 'w'.repeat(43);
const alice = { userKey: 'sub-alice', email: 'alice@example.com', groups: ['engineering'] };
const audience = 'http://mcp-container/mcp';

describe('keys derived per upstream', () => {
  it('are stable, 43 characters of base64url, different per upstream, and never the Worker’s key', async () => {
    const one = await deriveUpstreamKey(workerKey, 'container:aaaa');
    expect(one).toMatch(/^[\w-]{43}$/);
    expect(await deriveUpstreamKey(workerKey, 'container:aaaa')).toBe(one);
    expect(await deriveUpstreamKey(workerKey, 'container:bbbb')).not.toBe(one);
    expect(await deriveUpstreamKey(workerKey, 'url:http://127.0.0.1:8790/mcp')).not.toBe(one);
    expect(await deriveUpstreamKey('x'.repeat(43), 'container:aaaa')).not.toBe(one);
    expect(one).not.toContain(workerKey.slice(0, 8));
  });

  it('sign tokens that only that upstream’s key verifies', async () => {
    const mine = await deriveUpstreamKey(workerKey, 'container:aaaa');
    const theirs = await deriveUpstreamKey(workerKey, 'container:bbbb');
    const token = await signIdentityToken(alice, { key: mine, audience });
    expect(await verifyIdentityToken(token, { key: mine, audience })).toEqual(alice);
    await expect(verifyIdentityToken(token, { key: theirs, audience })).rejects.toThrow(/refused/);
    await expect(verifyIdentityToken(token, { key: workerKey, audience })).rejects.toThrow(/refused/);
  });

  it('need an upstream name and a Worker key long enough', async () => {
    await expect(deriveUpstreamKey(workerKey, '')).rejects.toThrow(/upstream/);
    await expect(deriveUpstreamKey('short', 'container:aaaa')).rejects.toThrow(/at least 32/);
  });
});

describe('identityAuthenticator', () => {
  const request = (token: string) => ({ headers: { 'x-secure-mcp-identity': token } });

  it('accepts a token it verified again from memory, but only for the key and audience it was checked with', async () => {
    const key = await deriveUpstreamKey(workerKey, 'container:aaaa');
    const settings = { key, audience };
    const refusals: string[] = [];
    const authenticate = identityAuthenticator({
      key: () => settings.key,
      audience: () => settings.audience,
      onRefused: (reason) => refusals.push(reason),
    });
    const token = await signIdentityToken(alice, { key, audience });
    expect(await authenticate(request(token))).toEqual(alice);
    expect(await authenticate(request(token))).toEqual(alice);
    settings.audience = 'http://another-container/mcp';
    expect(await authenticate(request(token))).toBeUndefined();
    settings.audience = audience;
    settings.key = await deriveUpstreamKey(workerKey, 'container:bbbb');
    expect(await authenticate(request(token))).toBeUndefined();
    expect(refusals).toEqual([
      'the identity token was refused (ERR_JWT_CLAIM_VALIDATION_FAILED)',
      'the identity token was refused (ERR_JWS_SIGNATURE_VERIFICATION_FAILED)',
    ]);
  });

  it('refuses a remembered token once its minute is over, as the full check does', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      const key = await deriveUpstreamKey(workerKey, 'container:aaaa');
      const authenticate = identityAuthenticator({ key, audience });
      const token = await signIdentityToken(alice, { key, audience });
      expect(await authenticate(request(token))).toEqual(alice);
      vi.setSystemTime(Date.now() + 70_000);
      expect(await authenticate(request(token))).toBeUndefined();
    } finally {
      vi.useRealTimers();
    }
  });

  it('never remembers a token it refused', async () => {
    const key = await deriveUpstreamKey(workerKey, 'container:aaaa');
    const authenticate = identityAuthenticator({ key, audience });
    const expired = await signIdentityToken(alice, { key, audience, now: Date.now() - 120_000 });
    expect(await authenticate(request(expired))).toBeUndefined();
    expect(await authenticate(request(expired))).toBeUndefined();
  });
});
