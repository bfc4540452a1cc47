/**
 * Whether memory keeps rising under load, as a rate per call: a leak shows as a steady slope while
 * a heap's usual swings do not, so a long run is judged by one number against its bound.
 */
import type { MemorySeries } from './memory-growth.ts';

/** How fast a memory series rose per call after warm-up, against its bound. */
export interface MemoryGrowthRate {
  name: string;
  /** The first sample after warm-up and the last sample. */
  fromMiB: number;
  toMiB: number;
  /** Calls from the first sample to the last. */
  calls: number;
  /** The least-squares slope of memory over calls made, per 1,000 calls (negative when memory fell). */
  mibPer1000Calls: number;
  boundMiBPer1000Calls: number;
  withinBound: boolean;
}

const tenth = (value: number) => Math.round(value * 10) / 10;
const hundredth = (value: number) => Math.round(value * 100) / 100;

/**
 * The growth of a memory series per 1,000 calls from `fromSeconds` (the first sample after
 * warm-up) to its last sample: the least-squares slope of memory over calls made, so a swing or a
 * dip of a few samples moves it little, while memory that keeps rising lifts it in proportion.
 * Throws when fewer than 3 samples or no calls lie in that span. Pure.
 *
 * @example
 * ```ts
 * growthPer1000Calls({ name: 'bridge outside its V8 heap', samples }, 30.8, 1).mibPer1000Calls; // e.g. -0.05
 * ```
 */
export function growthPer1000Calls(
  series: MemorySeries,
  fromSeconds: number,
  boundMiBPer1000Calls: number,
): MemoryGrowthRate {
  const after = series.samples.filter((sample) => sample.atSeconds >= fromSeconds);
  const first = after[0];
  const last = after.at(-1);
  if (after.length < 3 || !first || !last)
    throw new Error(`too few memory samples of ${series.name} after ${fromSeconds} s to tell a growth rate`);
  const calls = last.calls - first.calls;
  if (calls <= 0)
    throw new Error(
      `no calls between the samples of ${series.name} after ${fromSeconds} s: nothing to spread the growth over`,
    );
  const meanCalls = after.reduce((sum, sample) => sum + sample.calls, 0) / after.length;
  const meanKiB = after.reduce((sum, sample) => sum + sample.rssKiB, 0) / after.length;
  const covariance = after.reduce((sum, sample) => sum + (sample.calls - meanCalls) * (sample.rssKiB - meanKiB), 0);
  const variance = after.reduce((sum, sample) => sum + (sample.calls - meanCalls) ** 2, 0);
  // KiB per call is MiB per 1,024 calls.
  const mibPer1000Calls = hundredth(((covariance / variance) * 1000) / 1024);
  return {
    name: series.name,
    fromMiB: tenth(first.rssKiB / 1024),
    toMiB: tenth(last.rssKiB / 1024),
    calls,
    mibPer1000Calls,
    boundMiBPer1000Calls,
    withinBound: mibPer1000Calls <= boundMiBPer1000Calls,
  };
}
