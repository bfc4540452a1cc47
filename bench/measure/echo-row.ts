/**
 * One row of the echo benchmark: a path's latency and throughput, measured in the same order and
 * with the same clients for every path, so that the rows can be read against each other.
 */
import type { BenchClient, EchoPath } from '../paths/echo-path.ts';
import type { LatencySummary } from '../stats/latency-summary.ts';
import { measureSequentialLatency } from './sequential-latency.ts';
import { measureThroughput, type ThroughputResult } from './throughput.ts';

/** The concurrency levels of every throughput measurement. */
export const CONCURRENCY_LEVELS = [1, 8, 32, 64] as const;

/** One row of the benchmark: a path, measured, or the reason it could not be. */
export type EchoRow =
  | {
      id: string;
      label: string;
      status: 'measured';
      latency: LatencySummary;
      throughput: ThroughputResult[];
      note?: string;
    }
  | { id: string; label: string; status: 'not available'; reason: string };

/** Sessions opened at once while connecting many clients (each may start a process). */
const CONNECT_BATCH = 8;

/**
 * Measures one path: sequential latency on one session, then throughput at every level of
 * {@link CONCURRENCY_LEVELS}, with as many clients as the highest level, each on its own
 * session, opened once and reused from level to level.
 *
 * @example
 * ```ts
 * const row = await measureEchoRow(directStdioPath(), { throughputSeconds: 4 });
 * ```
 */
export async function measureEchoRow(
  path: EchoPath,
  options: {
    throughputSeconds: number;
    note?: string;
    onProgress?: (line: string) => void;
    /** Runs after the throughput levels, while every session is still open (e.g. to read memory). */
    whileLoaded?: () => Promise<void>;
    /** The concurrency levels of this row, when it cannot hold all of {@link CONCURRENCY_LEVELS}. */
    levels?: readonly number[];
  },
): Promise<EchoRow> {
  const progress = options.onProgress ?? (() => {});
  const clients: BenchClient[] = [];
  try {
    progress(`${path.label}: sequential latency`);
    clients.push(await path.openClient());
    const latency = await measureSequentialLatency(clients[0]!);
    const levels = options.levels ?? CONCURRENCY_LEVELS;
    const most = Math.max(...levels);
    progress(`${path.label}: opening ${most} sessions`);
    while (clients.length < most) {
      const batch = Math.min(CONNECT_BATCH, most - clients.length);
      clients.push(...(await Promise.all(Array.from({ length: batch }, () => path.openClient()))));
    }
    const throughput: ThroughputResult[] = [];
    for (const concurrency of levels) {
      progress(`${path.label}: throughput at ${concurrency}`);
      throughput.push(await measureThroughput(clients.slice(0, concurrency), options.throughputSeconds));
    }
    await options.whileLoaded?.();
    return {
      id: path.id,
      label: path.label,
      status: 'measured',
      latency,
      throughput,
      ...(options.note ? { note: options.note } : {}),
    };
  } finally {
    await Promise.all(clients.map((client) => client.close().catch(() => {})));
  }
}
