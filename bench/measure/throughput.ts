/**
 * Calls per second a path sustains with many clients at once, each on its own session: the figure
 * that says how far one gateway stretches before it needs another.
 */
import type { BenchClient } from '../paths/echo-path.ts';

/** Throughput of N concurrent clients over a fixed time. */
export interface ThroughputResult {
  concurrency: number;
  /** Completed calls per second, over the time from start until the last call ended. */
  callsPerSecond: number;
  calls: number;
  errors: number;
  /** The first error's message, to say what went wrong. */
  firstError?: string;
  seconds: number;
}

/**
 * Runs `clients` concurrently, each calling in a loop on its own session until `seconds`
 * have passed; counts completed calls and errors. A failed call is counted, not retried,
 * and its client goes on calling.
 *
 * @example
 * ```ts
 * const result = await measureThroughput(clients.slice(0, 32), 5);
 * console.log(result.callsPerSecond, result.errors);
 * ```
 */
export async function measureThroughput(clients: readonly BenchClient[], seconds: number): Promise<ThroughputResult> {
  let calls = 0;
  let errors = 0;
  let firstError: string | undefined;
  const start = performance.now();
  const deadline = start + seconds * 1000;
  await Promise.all(
    clients.map(async (client) => {
      while (performance.now() < deadline) {
        try {
          await client.call();
          calls += 1;
        } catch (error) {
          errors += 1;
          firstError ??= (error as Error).message;
        }
      }
    }),
  );
  const elapsed = (performance.now() - start) / 1000;
  return {
    concurrency: clients.length,
    callsPerSecond: Math.round((calls / elapsed) * 10) / 10,
    calls,
    errors,
    firstError,
    seconds: Math.round(elapsed * 100) / 100,
  };
}
