import { describe, expect, it } from 'vitest';
import { summarizeLatency } from './latency-summary.ts';

describe('summarizeLatency', () => {
  it('gives nearest-rank percentiles', () => {
    // 1..200 ms in shuffled order: nearest rank of p50 is the 100th value, p90 the 180th, p99 the 198th.
    const samples = Array.from({ length: 200 }, (_, i) => ((i * 37) % 200) + 1);
    const summary = summarizeLatency(samples);
    expect(summary.count).toBe(200);
    expect(summary.median).toBeCloseTo(100, 0);
    expect(summary.p90).toBeCloseTo(180, 0);
    expect(summary.p99).toBeCloseTo(198, 0);
    expect(summary.min).toBe(1);
    expect(summary.max).toBe(200);
  });

  it('keeps sub-millisecond samples to 0.1 % resolution', () => {
    const summary = summarizeLatency([0.153, 0.154, 0.155, 0.156, 9]);
    expect(summary.median).toBeGreaterThanOrEqual(0.155);
    expect(summary.median).toBeLessThan(0.1552);
    expect(summary.p99).toBeCloseTo(9, 1);
  });

  it('refuses empty or broken input', () => {
    expect(() => summarizeLatency([])).toThrow(/no latency samples/);
    expect(() => summarizeLatency([1, Number.NaN])).toThrow(/not a latency/);
  });
});
