import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { TokenRecordCache, withTokenRecordCache } from './token-record-cache.ts';

const inAnHour = () => Math.floor(Date.now() / 1000) + 3600;
const record = (expiresAt: number, note = 'a') => JSON.stringify({ expiresAt, note });

describe('TokenRecordCache', () => {
  it('serves a record until its time to live passes', () => {
    let now = 1_000_000;
    const cache = new TokenRecordCache({ ttlMs: 5_000, maxEntries: 10, now: () => now });
    cache.remember('token:u:g:1', record(2_000_000));
    now += 4_999;
    expect(cache.recall('token:u:g:1')).toBe(record(2_000_000));
    now += 1;
    expect(cache.recall('token:u:g:1')).toBeUndefined();
  });

  it('never serves a record past its own expiresAt', () => {
    let now = 1_000_000_000;
    const cache = new TokenRecordCache({ ttlMs: 60_000, maxEntries: 10, now: () => now });
    cache.remember('token:u:g:1', record(now / 1000 + 2));
    now += 2_000;
    expect(cache.recall('token:u:g:1')).toBeUndefined();
    cache.remember('token:u:g:2', record(now / 1000 - 1));
    expect(cache.recall('token:u:g:2')).toBeUndefined();
  });

  it('does not keep a record whose expiry it cannot read', () => {
    const cache = new TokenRecordCache({ ttlMs: 5_000, maxEntries: 10 });
    cache.remember('token:u:g:1', '{"note":"no expiry"}');
    cache.remember('token:u:g:2', 'not json');
    expect(cache.size).toBe(0);
  });

  it('holds at most maxEntries, dropping the oldest first', () => {
    const cache = new TokenRecordCache({ ttlMs: 5_000, maxEntries: 2 });
    for (const key of ['token:1', 'token:2', 'token:3']) cache.remember(key, record(inAnHour()));
    expect(cache.size).toBe(2);
    expect(cache.recall('token:1')).toBeUndefined();
    expect(cache.recall('token:3')).toBeDefined();
  });
});

describe('withTokenRecordCache over a real KV namespace', () => {
  const fresh = () => withTokenRecordCache(env.OAUTH_KV, new TokenRecordCache({ ttlMs: 5_000, maxEntries: 100 }));

  it('answers a token record from memory once read, as a new object each time', async () => {
    const kv = fresh();
    await env.OAUTH_KV.put('token:alice:g1:h1', record(inAnHour(), 'first'));
    const first = await kv.get('token:alice:g1:h1', { type: 'json' });
    // Changed behind the cache's back: the remembered record is still served.
    await env.OAUTH_KV.put('token:alice:g1:h1', record(inAnHour(), 'second'));
    const second = await kv.get('token:alice:g1:h1', { type: 'json' });
    expect(second).toEqual(first);
    expect(second).not.toBe(first);
    expect((second as { note: string }).note).toBe('first');
  });

  it('forgets a record deleted or overwritten through it', async () => {
    const kv = fresh();
    await env.OAUTH_KV.put('token:alice:g2:h1', record(inAnHour()));
    await kv.get('token:alice:g2:h1', 'json');
    await kv.delete('token:alice:g2:h1');
    expect(await kv.get('token:alice:g2:h1', 'json')).toBeNull();

    await env.OAUTH_KV.put('token:alice:g2:h2', record(inAnHour(), 'old'));
    await kv.get('token:alice:g2:h2', 'json');
    await kv.put('token:alice:g2:h2', record(inAnHour(), 'new'));
    expect(await kv.get('token:alice:g2:h2', 'json')).toMatchObject({ note: 'new' });
  });

  it('does not remember that a token is missing: one issued later works at once', async () => {
    const kv = fresh();
    expect(await kv.get('token:alice:g3:h1', { type: 'json' })).toBeNull();
    await env.OAUTH_KV.put('token:alice:g3:h1', record(inAnHour()));
    expect(await kv.get('token:alice:g3:h1', { type: 'json' })).not.toBeNull();
  });

  it('passes other keys, other types and other methods straight to KV', async () => {
    const kv = fresh();
    await env.OAUTH_KV.put('grant:alice:g4', '{"v":1}');
    await kv.get('grant:alice:g4', 'json');
    await env.OAUTH_KV.put('grant:alice:g4', '{"v":2}');
    expect(await kv.get('grant:alice:g4', 'json')).toEqual({ v: 2 });

    // A token record read as text is never served from memory, even once remembered as JSON.
    await env.OAUTH_KV.put('token:alice:g4:h1', record(inAnHour(), 'one'));
    await kv.get('token:alice:g4:h1', 'json');
    await kv.get('token:alice:g4:h1', 'text');
    const changed = record(inAnHour(), 'two');
    await env.OAUTH_KV.put('token:alice:g4:h1', changed);
    expect(await kv.get('token:alice:g4:h1', 'text')).toBe(changed);
    const listed = await kv.list({ prefix: 'token:alice:g4:' });
    expect(listed.keys.map((key) => key.name)).toEqual(['token:alice:g4:h1']);
  });
});
