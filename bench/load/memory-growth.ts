/** Resident memory of one process over a run, sampled, in KiB. */
export interface MemorySeries {
  name: string;
  /** One sample per interval: seconds since the run started, resident KiB, and the calls made by then. */
  samples: Array<{ atSeconds: number; rssKiB: number; calls: number }>;
}

/** How much a process's resident memory grew after warm-up. */
export interface SettledGrowth {
  name: string;
  /** The highest resident memory of the warm-up. */
  baselineMiB: number;
  /** The highest resident memory after the warm-up (for information: garbage collectors let it swing). */
  peakMiB: number;
  /** The lowest resident memory of the last quarter of the run: where memory settled. */
  settledMiB: number;
  /** `settled - baseline`, at least 0. */
  growthMiB: number;
  /** Calls made from the warm-up's last sample to the settled sample: the calls the growth happened over. */
  callsToSettle: number;
}

const mib = (kib: number) => Math.round((kib / 1024) * 10) / 10;

/**
 * Growth of a process's memory over a run: the lowest sample of the run's last quarter minus the
 * highest sample of the warm-up. A garbage-collected heap swings up and down; comparing the end's
 * troughs with the warm-up's peak ignores the swing, while memory that keeps rising (a leak)
 * lifts even the troughs. Pure.
 *
 * @example
 * ```ts
 * settledGrowth({ name: 'Worker (workerd)', samples }, 30).growthMiB;
 * ```
 */
export function settledGrowth(series: MemorySeries, warmUpSeconds: number): SettledGrowth {
  const warmUp = series.samples.filter((sample) => sample.atSeconds <= warmUpSeconds);
  const after = series.samples.filter((sample) => sample.atSeconds > warmUpSeconds);
  if (warmUp.length === 0 || after.length < 2)
    throw new Error(`too few memory samples of ${series.name} to tell growth`);
  const end = series.samples.at(-1)!.atSeconds;
  const start = series.samples[0]!.atSeconds;
  const lastQuarter = after.filter((sample) => sample.atSeconds >= end - (end - start) / 4);
  const baseline = Math.max(...warmUp.map((sample) => sample.rssKiB));
  const peak = Math.max(...after.map((sample) => sample.rssKiB));
  const settled = (lastQuarter.length > 0 ? lastQuarter : after.slice(-1)).reduce((lowest, sample) =>
    sample.rssKiB < lowest.rssKiB ? sample : lowest,
  );
  return {
    name: series.name,
    baselineMiB: mib(baseline),
    peakMiB: mib(peak),
    settledMiB: mib(settled.rssKiB),
    growthMiB: mib(Math.max(0, settled.rssKiB - baseline)),
    callsToSettle: settled.calls - warmUp.at(-1)!.calls,
  };
}
