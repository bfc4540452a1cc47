import { describe, expect, it } from 'vitest';
import { deriveUpstreamKey, signIdentityToken, verifyIdentityToken } from './identity-token.ts';

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
