/** Resident memory of one process over a run, sampled, in KiB. */
export interface MemorySeries {
  name: string;
  /** One sample per interval: seconds since the run started, and resident KiB. */
  samples: Array<{ atSeconds: number; rssKiB: number }>;
}

/** How much a process grew after warm-up, against its bound. */
export interface MemoryGrowth {
  name: string;
  /** The highest resident memory of the warm-up. */
  baselineMiB: number;
  /** The highest resident memory after the warm-up (for information: garbage collectors let it swing). */
  peakMiB: number;
  /** The lowest resident memory of the last quarter of the run: where memory settled. */
  settledMiB: number;
  /** `settled - baseline`, at least 0. */
  growthMiB: number;
  boundMiB: number;
  withinBound: boolean;
}

const mib = (kib: number) => Math.round((kib / 1024) * 10) / 10;

/**
 * Growth of a process's memory over a run: the lowest sample of the run's last quarter minus the
 * highest sample of the warm-up, compared with `boundMiB`. A garbage-collected heap swings up and
 * down; comparing the end's troughs with the warm-up's peak ignores the swing, while memory that
 * keeps rising (a leak) lifts even the troughs. Pure.
 *
 * @example
 * ```ts
 * memoryGrowth({ name: 'bridge', samples }, 30, 64).withinBound;
 * ```
 */
export function memoryGrowth(series: MemorySeries, warmUpSeconds: number, boundMiB: number): MemoryGrowth {
  const warmUp = series.samples.filter((sample) => sample.atSeconds <= warmUpSeconds);
  const after = series.samples.filter((sample) => sample.atSeconds > warmUpSeconds);
  if (warmUp.length === 0 || after.length < 2) throw new Error(`too few memory samples of ${series.name} to tell growth`);
  const end = series.samples.at(-1)!.atSeconds;
  const start = series.samples[0]!.atSeconds;
  const lastQuarter = after.filter((sample) => sample.atSeconds >= end - (end - start) / 4);
  const baseline = Math.max(...warmUp.map((sample) => sample.rssKiB));
  const peak = Math.max(...after.map((sample) => sample.rssKiB));
  const settled = Math.min(...(lastQuarter.length > 0 ? lastQuarter : after.slice(-1)).map((sample) => sample.rssKiB));
  const growthMiB = mib(Math.max(0, settled - baseline));
  return { name: series.name, baselineMiB: mib(baseline), peakMiB: mib(peak), settledMiB: mib(settled), growthMiB, boundMiB, withinBound: growthMiB <= boundMiB };
}
