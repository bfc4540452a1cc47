/**
 * `ToolRateLimiter`: the Durable Object that counts one person's tool calls for the rate limits
 * of `policies/tools.yaml`, exactly. One instance per person (named by the grant's `sub`), so one
 * person's calls are counted in one place however many Cloudflare locations and isolates serve
 * them, and two people never share a counter. The log lives in the object's SQLite storage, so
 * counts survive the object being evicted from memory.
 *
 * Why not the Workers Rate Limiting binding: its limit and period are fixed per binding in the
 * Worker's configuration (period 10 or 60 seconds only), and it counts "within a given period in a
 * single Cloudflare location", approximately (developers.cloudflare.com/workers/runtime-apis/bindings/rate-limit/).
 * Policy limits are per rule (any `per` up to a day), must hold wherever a person's agent connects
 * from, and the refusal says when to retry; see docs/policies.md.
 */
import { DurableObject } from 'cloudflare:workers';
import type { LimitedCall } from '../../../../../policies/engine/rate-limits.ts';
import { takeCalls, type CallLogStore, type TakeAnswer } from './call-window.ts';
import type { CallLimiter } from './limit-calls.ts';

/** The log in SQLite: one row per taken call. */
class SqlCallLog implements CallLogStore {
  constructor(private readonly sql: SqlStorage) {
    sql.exec('CREATE TABLE IF NOT EXISTS calls (key TEXT NOT NULL, at INTEGER NOT NULL)');
    sql.exec('CREATE INDEX IF NOT EXISTS calls_by_key ON calls (key, at)');
  }
  window(key: string, since: number): { count: number; oldest: number | undefined } {
    const row = this.sql
      .exec<{ count: number; oldest: number | null }>(
        'SELECT count(*) AS count, min(at) AS oldest FROM calls WHERE key = ? AND at >= ?',
        key,
        since,
      )
      .one();
    return { count: row.count, oldest: row.oldest ?? undefined };
  }
  add(key: string, at: number): void {
    this.sql.exec('INSERT INTO calls (key, at) VALUES (?, ?)', key, at);
  }
  prune(key: string, before: number): void {
    this.sql.exec('DELETE FROM calls WHERE key = ? AND at < ?', key, before);
  }
}

export class ToolRateLimiter extends DurableObject {
  readonly #log: SqlCallLog;

  constructor(ctx: DurableObjectState, env: Cloudflare.Env) {
    super(ctx, env);
    this.#log = new SqlCallLog(ctx.storage.sql);
  }

  /** Takes one call from each counter, or none (RPC from the Worker's gate). */
  take(calls: Array<Pick<LimitedCall, 'key' | 'calls' | 'perMs'>>): TakeAnswer {
    return takeCalls(this.#log, calls, Date.now());
  }
}

/**
 * The gate's limiter over the Durable Object namespace: one `ToolRateLimiter` per person.
 *
 * @example
 * ```ts
 * const limiter = env.TOOL_RATE_LIMITER ? durableObjectLimiter(env.TOOL_RATE_LIMITER) : undefined;
 * ```
 */
export function durableObjectLimiter(namespace: DurableObjectNamespace<ToolRateLimiter>): CallLimiter {
  return { take: (person, calls) => namespace.getByName(person).take(calls) };
}
