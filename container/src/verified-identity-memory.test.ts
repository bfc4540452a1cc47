import { describe, expect, it } from 'vitest';
import { VerifiedIdentityMemory } from './verified-identity-memory.ts';

const alice = { userKey: 'sub-alice', email: 'alice@example.com', groups: ['engineering'] };
const key = 'k'.repeat(43);
const audience = 'http://mcp-container/mcp';

describe('VerifiedIdentityMemory', () => {
  it('recalls a verified token only until its time, and only for the key and audience it was checked with', () => {
    const clock = { now: 1_000 };
    const memory = new VerifiedIdentityMemory(() => clock.now);
    memory.remember('token-a', { identity: alice, key, audience, until: 61_000 });
    expect(memory.recall('token-a', key, audience)).toEqual(alice);
    expect(memory.recall('token-b', key, audience)).toBeUndefined();
    expect(memory.recall('token-a', key, 'http://other/mcp')).toBeUndefined();
    // A mismatch forgets it: the full check decides from then on.
    expect(memory.recall('token-a', key, audience)).toBeUndefined();
    memory.remember('token-a', { identity: alice, key, audience, until: 61_000 });
    expect(memory.recall('token-a', 'j'.repeat(43), audience)).toBeUndefined();
    memory.remember('token-a', { identity: alice, key, audience, until: 61_000 });
    clock.now = 60_999;
    expect(memory.recall('token-a', key, audience)).toEqual(alice);
    clock.now = 61_000;
    expect(memory.recall('token-a', key, audience)).toBeUndefined();
    expect(memory.size).toBe(0);
  });

  it('never remembers a token already past its time, and hands out copies', () => {
    const memory = new VerifiedIdentityMemory(() => 5_000);
    memory.remember('late', { identity: alice, key, audience, until: 5_000 });
    expect(memory.size).toBe(0);
    memory.remember('fresh', { identity: alice, key, audience, until: 9_000 });
    memory.recall('fresh', key, audience)!.groups.push('admins');
    expect(memory.recall('fresh', key, audience)!.groups).toEqual(['engineering']);
  });

  it('stays bounded, dropping expired tokens first, then the oldest', () => {
    const clock = { now: 0 };
    const memory = new VerifiedIdentityMemory(() => clock.now);
    memory.remember('short-lived', { identity: alice, key, audience, until: 10 });
    for (let index = 0; index < 255; index += 1) {
      memory.remember(`token-${index}`, { identity: alice, key, audience, until: 60_000 });
    }
    expect(memory.size).toBe(256);
    clock.now = 20;
    memory.remember('one-more', { identity: alice, key, audience, until: 60_000 });
    expect(memory.size).toBe(256);
    expect(memory.recall('token-0', key, audience)).toEqual(alice);
    memory.remember('and-another', { identity: alice, key, audience, until: 60_000 });
    expect(memory.size).toBe(256);
    expect(memory.recall('token-0', key, audience)).toBeUndefined(); // the oldest went
    expect(memory.recall('and-another', key, audience)).toEqual(alice);
  });
});
