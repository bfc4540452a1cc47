/**
 * Exact counting for rate limits: a sliding-window log. A call is taken when, for each of its
 * counters, fewer than `calls` calls were taken in the last `perMs`; then every counter records it.
 * Either all counters of a request take the call or none does, so a refused batch costs nothing.
 * The store is an interface, so the same logic runs over a Durable Object's SQLite storage
 * (tool-rate-limiter.ts) and over memory (tests, `npm run bench:policy`). Pure apart from the store.
 */
import type { LimitedCall } from '../../../../../policies/engine/rate-limits.ts';

/** Where the log lives: times of taken calls, by counter. */
export interface CallLogStore {
  /** Calls of `key` taken at or after `since`, and the oldest of them. */
  window(key: string, since: number): { count: number; oldest: number | undefined };
  /** Records one call. */
  add(key: string, at: number): void;
  /** Forgets calls of `key` taken before `before`. */
  prune(key: string, before: number): void;
}

/** The answer: taken, or refused with the first full counter and when it has room again. */
export type TakeAnswer = { taken: true } | { taken: false; index: number; retryAfterMs: number };

/**
 * Takes one call from each counter, or none.
 *
 * @example
 * ```ts
 * takeCalls(store, [{ rule: 'r', key: 'r\ntool echo\n', calls: 5, perMs: 60_000, describe: '…' }], Date.now());
 * // { taken: true }
 * ```
 */
export function takeCalls(
  store: CallLogStore,
  calls: ReadonlyArray<Pick<LimitedCall, 'key' | 'calls' | 'perMs'>>,
  now: number,
): TakeAnswer {
  for (const [index, call] of calls.entries()) {
    const since = now - call.perMs + 1;
    store.prune(call.key, since);
    const { count, oldest } = store.window(call.key, since);
    // Counters repeated in one batch count each of their calls.
    const pending = calls.slice(0, index).filter((earlier) => earlier.key === call.key).length;
    if (count + pending >= call.calls) {
      return { taken: false, index, retryAfterMs: Math.max(1, (oldest ?? now) + call.perMs - now) };
    }
  }
  for (const call of calls) store.add(call.key, now);
  return { taken: true };
}

/**
 * A store in memory, for tests and the in-process benchmark.
 *
 * @example
 * ```ts
 * const store = new MemoryCallLog();
 * ```
 */
export class MemoryCallLog implements CallLogStore {
  readonly #log = new Map<string, number[]>();
  window(key: string, since: number): { count: number; oldest: number | undefined } {
    const times = (this.#log.get(key) ?? []).filter((at) => at >= since);
    return { count: times.length, oldest: times[0] };
  }
  add(key: string, at: number): void {
    const times = this.#log.get(key) ?? [];
    times.push(at);
    this.#log.set(key, times);
  }
  prune(key: string, before: number): void {
    const times = this.#log.get(key);
    if (times)
      this.#log.set(
        key,
        times.filter((at) => at >= before),
      );
  }
}
