/**
 * Latency as one user on one session feels it: calls one after another, timed only after the warm-
 * up that a gateway serving for hours has long left behind.
 */
import type { BenchClient } from '../paths/echo-path.ts';
import { summarizeLatency, type LatencySummary } from '../stats/latency-summary.ts';

/**
 * Calls made before timing starts (connection reuse, JIT, caches). A new Node process reaches
 * its steady state only after a few hundred calls: on this machine the bridge's median was
 * 1.28 ms after 20 warm-up calls, 1.07 after 200 and 0.82 after 1,000 (direct stdio: 0.19,
 * 0.12, 0.10). A gateway serves for hours, so every row is measured in its steady state.
 */
export const WARM_UP_CALLS = 1000;
/** Calls timed one after the other. */
export const TIMED_CALLS = 200;

/**
 * Latency of sequential calls on one session: {@link WARM_UP_CALLS} untimed calls, then
 * {@link TIMED_CALLS} timed ones, each waiting for the previous. Any failed call fails the
 * measurement: a latency of errors means nothing.
 *
 * @example
 * ```ts
 * const { median } = await measureSequentialLatency(await path.openClient());
 * ```
 */
export async function measureSequentialLatency(
  client: BenchClient,
  calls: { warmUp?: number; timed?: number } = {},
): Promise<LatencySummary> {
  const warmUp = calls.warmUp ?? WARM_UP_CALLS;
  const timed = calls.timed ?? TIMED_CALLS;
  for (let i = 0; i < warmUp; i += 1) await client.call();
  const samples: number[] = [];
  for (let i = 0; i < timed; i += 1) {
    const start = performance.now();
    await client.call();
    samples.push(performance.now() - start);
  }
  return summarizeLatency(samples);
}
