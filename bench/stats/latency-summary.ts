/**
 * Latency percentiles computed one way for every row (an HDR histogram at a known resolution), so
 * that a median or p99 means the same thing across the whole report.
 */
import hdr from 'hdr-histogram-js';

/** Median, p90 and p99 of a set of latency samples, in milliseconds. */
export interface LatencySummary {
  count: number;
  median: number;
  p90: number;
  p99: number;
  min: number;
  max: number;
}

/**
 * Summarizes latency samples (milliseconds) with an HDR histogram: samples are recorded
 * in microseconds at 3 significant digits (0.1 % resolution), and percentiles are the
 * histogram's nearest-rank values (the smallest sample with at least p % of samples at
 * or below it). Throws on an empty or non-finite input rather than report a made-up 0.
 *
 * @example
 * ```ts
 * summarizeLatency([1.2, 0.9, 3.4]); // { count: 3, median: 1.2, p90: 3.4, p99: 3.4, min: 0.9, max: 3.4 }
 * ```
 */
export function summarizeLatency(samplesMs: readonly number[]): LatencySummary {
  if (samplesMs.length === 0) throw new Error('no latency samples to summarize');
  const histogram = hdr.build({ bitBucketSize: 'packed', numberOfSignificantValueDigits: 3, useWebAssembly: false });
  for (const sample of samplesMs) {
    if (!Number.isFinite(sample) || sample < 0) throw new Error(`not a latency: ${sample}`);
    // At least 1 µs: HDR histograms start at 1 and we never measure below that.
    histogram.recordValue(Math.max(1, Math.round(sample * 1000)));
  }
  const at = (percentile: number) => roundMs(histogram.getValueAtPercentile(percentile) / 1000);
  const summary = {
    count: samplesMs.length,
    median: at(50),
    p90: at(90),
    p99: at(99),
    min: roundMs(Math.min(...samplesMs)),
    max: roundMs(Math.max(...samplesMs)),
  };
  histogram.destroy();
  return summary;
}

/** Three decimals of a millisecond (a microsecond) is all the precision a timer here has. */
function roundMs(value: number): number {
  return Math.round(value * 1000) / 1000;
}
