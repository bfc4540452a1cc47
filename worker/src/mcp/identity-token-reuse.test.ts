import { describe, expect, it } from 'vitest';
import { signIdentityToken, verifyIdentityToken } from '../../../container/src/identity-token.ts';
import { IDENTITY_REUSE_MS, IdentityTokenMemory } from './identity-token-reuse.ts';

const key = 'k'.repeat(43);
const audience = 'http://mcp-container/mcp';
const alice = { userKey: 'sub-alice', email: 'alice@example.com', groups: ['engineering'] };

/** A memory on a clock the test moves, counting what it signs. */
function memoryAt(start: number) {
  const clock = { now: start, signed: 0 };
  const memory = new IdentityTokenMemory({
    now: () => clock.now,
    sign: (identity, options) => {
      clock.signed += 1;
      return signIdentityToken(identity, options);
    },
  });
  return { memory, clock };
}

describe('IdentityTokenMemory', () => {
  it('hands the same token to back-to-back requests of one person, and a new one once the reuse window ends', async () => {
    const { memory, clock } = memoryAt(Date.now());
    const first = await memory.token(alice, { key, audience });
    clock.now += IDENTITY_REUSE_MS - 1;
    expect(await memory.token(alice, { key, audience })).toBe(first);
    expect(clock.signed).toBe(1);
    clock.now += 1;
    const second = await memory.token(alice, { key, audience });
    expect(clock.signed).toBe(2);
    expect(second).not.toBe(first);
  });

  it('signs anew for other claims, another upstream or another key', async () => {
    const { memory, clock } = memoryAt(Date.now());
    const first = await memory.token(alice, { key, audience });
    const others = await Promise.all([
      memory.token({ ...alice, groups: [] }, { key, audience }), // a group was taken away
      memory.token({ ...alice, email: 'alice@other.example' }, { key, audience }),
      memory.token({ ...alice, userKey: 'sub-bob' }, { key, audience }),
      memory.token(alice, { key, audience: 'http://other/mcp' }),
      memory.token(alice, { key: 'j'.repeat(43), audience }),
    ]);
    expect(clock.signed).toBe(6);
    expect(new Set([first, ...others]).size).toBe(6);
    expect((await verifyIdentityToken(others[0], { key, audience })).groups).toEqual([]);
  });

  it('hands out only tokens the upstream still accepts for most of their minute', async () => {
    const { memory, clock } = memoryAt(Date.now() - IDENTITY_REUSE_MS + 10);
    const token = await memory.token(alice, { key, audience });
    clock.now += IDENTITY_REUSE_MS - 20; // the end of the reuse window, which is about now
    expect(await memory.token(alice, { key, audience })).toBe(token);
    const exp = JSON.parse(atob(token.split('.')[1]!.replaceAll('-', '+').replaceAll('_', '/'))).exp as number;
    expect(exp * 1000 - Date.now()).toBeGreaterThan(39_000);
    expect(await verifyIdentityToken(token, { key, audience })).toEqual(alice);
  });

  it('does not remember a signing that failed', async () => {
    const { memory } = memoryAt(Date.now());
    await expect(memory.token(alice, { key: 'short', audience })).rejects.toThrow(/at least 32/);
    await expect(memory.token(alice, { key: 'short', audience })).rejects.toThrow(/at least 32/);
  });
});
