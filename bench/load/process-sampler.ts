/**
 * Memory over time for the load test: the resident memory of groups of processes, sampled at a
 * steady pace and each sample tied to the calls made so far, so growth reads per call and not per
 * second of a busy machine.
 */
import { descendantPids, readCommandLine, readProcessMemory } from '../measure/process-memory.ts';
import type { MemorySeries } from './memory-growth.ts';

/** A set of processes whose resident memory is summed into one series. */
export interface WatchedProcesses {
  name: string;
  /** The pids to sum right now (asked at every sample, as processes come and go). */
  pids(): Promise<number[]>;
  /** KiB to take off the sum, read right after it: such as the memory V8 holds for a heap, to follow what lies outside it. */
  lessKiB?(): Promise<number>;
}

/** A running sampler: `sampleNow()` takes one sample between the timed ones and gives its time. */
export interface RunningSampler {
  /** Takes a sample now; resolves with its `atSeconds`. */
  sampleNow(): Promise<number>;
  stop(): Promise<MemorySeries[]>;
}

/**
 * Samples the resident memory of each watched set every `intervalMs` until `stop()`; every
 * sample also records `callsSoFar()`, the calls the run had made by then.
 *
 * @example
 * ```ts
 * const outsideHeap = { name: 'bridge outside its V8 heap', pids: async () => [hostPid], lessKiB: async () => (await inspector.committedHeapBytes()) / 1024 };
 * const sampler = startSampler([{ name: 'bridge', pids: async () => [hostPid] }, outsideHeap], 2_000, () => calls);
 * const series = await sampler.stop();
 * ```
 */
export function startSampler(
  watched: readonly WatchedProcesses[],
  intervalMs: number,
  callsSoFar: () => number,
): RunningSampler {
  const started = performance.now();
  const series: MemorySeries[] = watched.map((set) => ({ name: set.name, samples: [] }));
  const sample = async () => {
    const atSeconds = (performance.now() - started) / 1000;
    const calls = callsSoFar();
    for (const [i, set] of watched.entries()) {
      let rssKiB = 0;
      for (const pid of await set.pids()) rssKiB += (await readProcessMemory(pid))?.rssKiB ?? 0;
      if (set.lessKiB) rssKiB -= await set.lessKiB();
      series[i]!.samples.push({ atSeconds, rssKiB, calls });
    }
    return atSeconds;
  };
  let running = sample();
  const timer = setInterval(() => {
    running = running.then(sample);
  }, intervalMs);
  return {
    sampleNow: () => (running = running.then(sample)),
    async stop() {
      clearInterval(timer);
      await running;
      await sample();
      return series;
    },
  };
}

/**
 * The descendants of `rootPid` whose command line contains `marker`.
 *
 * @example
 * ```ts
 * const workerd = await descendantsRunning(wranglerPid, 'workerd');
 * ```
 */
export async function descendantsRunning(rootPid: number, marker: string): Promise<number[]> {
  const found: number[] = [];
  for (const pid of await descendantPids(rootPid)) if ((await readCommandLine(pid)).includes(marker)) found.push(pid);
  return found;
}
