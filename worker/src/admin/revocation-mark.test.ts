import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { markRevoked, revokedByMark, revokedSince } from './revocation-mark.ts';

describe('revokedByMark', () => {
  it('stops grants signed in up to the mark, and grants that predate marks', () => {
    expect(revokedByMark({ signedInAt: 1_000 }, 2_000)).toBe(true);
    expect(revokedByMark({ signedInAt: 2_000 }, 2_000)).toBe(true);
    expect(revokedByMark({}, 2_000)).toBe(true);
  });

  it('leaves grants signed in after the mark, and every grant without a mark', () => {
    expect(revokedByMark({ signedInAt: 3_000 }, 2_000)).toBe(false);
    expect(revokedByMark({ signedInAt: 1_000 }, undefined)).toBe(false);
  });
});

describe('revokedSince', () => {
  it('reads the mark, remembers an absent one for a few seconds, and knows at once of a mark written here', async () => {
    const userId = `u-${crypto.randomUUID()}`;
    expect(await revokedSince(env.OAUTH_KV, userId, 1_000)).toBeUndefined();
    // Written behind this isolate's back: still remembered as absent for 5 s, then read.
    await env.OAUTH_KV.put(`revoked-user:${userId}`, JSON.stringify({ revokedAt: 500 }));
    expect(await revokedSince(env.OAUTH_KV, userId, 4_000)).toBeUndefined();
    expect(await revokedSince(env.OAUTH_KV, userId, 6_001)).toBe(500);
    // Written through this isolate: known at once.
    await markRevoked(env.OAUTH_KV, userId, 7_000, 60);
    expect(await revokedSince(env.OAUTH_KV, userId, Date.now())).toBe(7_000);
  });
});
