/**
 * A short-lived, per-isolate memory of the access-token records the OAuth provider reads
 * from KV on every `/mcp` request (`token:<user>:<grant>:<sha256>`).
 *
 * Why: that read is the largest cost of a proxied call (about 3 ms of 8 in the local stack,
 * `npm run bench:profile`), and an MCP client sends its calls back to back with one token.
 * Why it is safe enough: only records that exist are remembered (a token issued elsewhere
 * works at once), for at most `ttlMs` and never past the record's own `expiresAt`; the
 * provider still checks expiry, audience and decrypts the props on every request; every
 * `put` or `delete` of a key through this isolate forgets it, so a revocation (RFC 7009 or
 * `/admin/revoke-user`) takes effect here on the next request. Other isolates may serve a
 * revoked token for up to `ttlMs` more, on top of the up to 60 s KV itself takes to reach
 * every location (docs/security.md).
 */

/** The prefix of the provider's access-token records (see the provider's storage schema). */
const TOKEN_KEY_PREFIX = 'token:';

/** Settings of a {@link TokenRecordCache}. */
export interface TokenRecordCacheOptions {
  /** How long a record read from KV is served from memory. */
  ttlMs: number;
  /** Most records kept; the oldest is dropped first. */
  maxEntries: number;
  /** The clock, in ms since the epoch (a test passes its own). */
  now?: () => number;
}

interface Entry {
  /** The record as KV returned it (JSON text), parsed again on each hit so no caller shares an object. */
  text: string;
  until: number;
}

/**
 * The memory itself: raw JSON text of token records by KV key. Pure (no I/O).
 *
 * @example
 * ```ts
 * const cache = new TokenRecordCache({ ttlMs: 5_000, maxEntries: 1_000 });
 * cache.remember('token:a:b:c', '{"expiresAt":1900000000}');
 * cache.recall('token:a:b:c'); // '{"expiresAt":1900000000}'
 * cache.forget('token:a:b:c');
 * ```
 */
export class TokenRecordCache {
  readonly #entries = new Map<string, Entry>();
  readonly #ttlMs: number;
  readonly #maxEntries: number;
  readonly #now: () => number;

  constructor(options: TokenRecordCacheOptions) {
    this.#ttlMs = options.ttlMs;
    this.#maxEntries = options.maxEntries;
    this.#now = options.now ?? Date.now;
  }

  /** The text remembered for `key`, if it is still fresh. */
  recall(key: string): string | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    if (this.#now() >= entry.until) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry.text;
  }

  /** Remembers a record read from KV, until `ttlMs` passes or the record's own `expiresAt` (seconds), whichever is first. */
  remember(key: string, text: string): void {
    const now = this.#now();
    const expiresAtMs = readExpiresAtMs(text);
    if (expiresAtMs === undefined) return;
    const until = Math.min(now + this.#ttlMs, expiresAtMs);
    if (until <= now) return;
    this.#entries.delete(key);
    if (this.#entries.size >= this.#maxEntries) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
    this.#entries.set(key, { text, until });
  }

  forget(key: string): void {
    this.#entries.delete(key);
  }

  get size(): number {
    return this.#entries.size;
  }
}

/** A record without a readable `expiresAt` is not remembered at all. */
function readExpiresAtMs(text: string): number | undefined {
  try {
    const record = JSON.parse(text) as { expiresAt?: unknown };
    return typeof record.expiresAt === 'number' ? record.expiresAt * 1000 : undefined;
  } catch {
    return undefined;
  }
}

const isTokenKey = (key: unknown): key is string => typeof key === 'string' && key.startsWith(TOKEN_KEY_PREFIX);

/** `get(key, { type: 'json' })` or `get(key, 'json')`: the only form the provider uses for token records. */
const asksForJson = (options: unknown): boolean =>
  options === 'json' ||
  (typeof options === 'object' && options !== null && (options as { type?: unknown }).type === 'json');

/**
 * `kv` seen through `cache`: a JSON `get` of an access-token record is answered from memory when
 * fresh, and remembered when KV has it; `put` and `delete` of any key forget it first. Everything
 * else (lists, metadata, other keys and types) goes straight to `kv`.
 *
 * @example
 * ```ts
 * return provider.fetch(request, { ...env, OAUTH_KV: withTokenRecordCache(env.OAUTH_KV, cache) }, ctx);
 * ```
 */
export function withTokenRecordCache(kv: KVNamespace, cache: TokenRecordCache): KVNamespace {
  const get = async (key: unknown, options?: unknown): Promise<unknown> => {
    if (!isTokenKey(key) || !asksForJson(options))
      return (kv.get as (k: unknown, o?: unknown) => Promise<unknown>)(key, options);
    const remembered = cache.recall(key);
    if (remembered !== undefined) return JSON.parse(remembered);
    const text = await kv.get(key, 'text');
    if (text === null) return null;
    cache.remember(key, text);
    return JSON.parse(text);
  };
  // Forgotten before and after: a read racing the write must not keep the old record.
  const put: KVNamespace['put'] = async (key, ...rest) => {
    cache.forget(key);
    await kv.put(key, ...rest);
    cache.forget(key);
  };
  const remove: KVNamespace['delete'] = async (key) => {
    cache.forget(key);
    await kv.delete(key);
    cache.forget(key);
  };
  return new Proxy(kv, {
    get(target, property) {
      if (property === 'get') return get;
      if (property === 'put') return put;
      if (property === 'delete') return remove;
      const value = Reflect.get(target, property, target) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
