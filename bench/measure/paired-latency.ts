/**
 * Latency of several paths measured side by side: after a warm-up, short blocks of sequential calls
 * alternate between the paths, round after round, so that a burst of other work on this shared
 * machine lands on every path alike. The rows of the benchmark are measured one after another,
 * minutes apart; their medians moved by up to 2× between runs while the paths did not change. The
 * targets that compare two production-like paths read these medians instead.
 */
import type { BenchClient } from '../paths/echo-path.ts';
import { summarizeLatency, type LatencySummary } from '../stats/latency-summary.ts';

/** How the paired measurement runs. */
export const PAIRED = { warmUpCalls: 300, rounds: 20, callsPerBlock: 20 } as const;

/**
 * Each path's latency over {@link PAIRED}.rounds rounds of one block of sequential calls per path,
 * the paths' order turning each round.
 *
 * @example
 * ```ts
 * const paired = await measurePairedLatency({ stack: stackClient, template: templateClient });
 * paired.stack.median / paired.template.median;
 * ```
 */
export async function measurePairedLatency(
  clients: Readonly<Record<string, BenchClient>>,
  options: Partial<typeof PAIRED> = {},
): Promise<Record<string, LatencySummary>> {
  const { warmUpCalls, rounds, callsPerBlock } = { ...PAIRED, ...options };
  const ids = Object.keys(clients);
  for (const id of ids) for (let i = 0; i < warmUpCalls; i += 1) await clients[id]!.call();
  const samples = new Map(ids.map((id) => [id, [] as number[]]));
  for (let round = 0; round < rounds; round += 1) {
    for (let turn = 0; turn < ids.length; turn += 1) {
      const id = ids[(round + turn) % ids.length]!;
      for (let i = 0; i < callsPerBlock; i += 1) {
        const start = performance.now();
        await clients[id]!.call();
        samples.get(id)!.push(performance.now() - start);
      }
    }
  }
  return Object.fromEntries(ids.map((id) => [id, summarizeLatency(samples.get(id)!)]));
}
