import { describe, expect, it } from 'vitest';
import { settledGrowth } from './memory-growth.ts';

/** One sample every 10 s, in MiB, with 100 calls between samples. */
const series = (values: number[]) => ({
  name: 'bridge',
  samples: values.map((mib, i) => ({ atSeconds: i * 10, rssKiB: mib * 1024, calls: i * 100 })),
});

describe('settledGrowth', () => {
  it('lets a garbage-collected heap swing without calling it growth', () => {
    const growth = settledGrowth(series([100, 180, 150, 250, 170, 260, 160, 240, 175]), 10);
    // The last quarter (60 s to 80 s) holds 160, 240, 175: memory settled at 160.
    expect(growth).toMatchObject({ baselineMiB: 180, peakMiB: 260, settledMiB: 160, growthMiB: 0 });
    // From the warm-up's last sample (10 s, 100 calls) to the settled one (60 s, 600 calls).
    expect(growth.callsToSettle).toBe(500);
  });

  it('shows memory that keeps rising, troughs and all', () => {
    const growth = settledGrowth(series([100, 110, 150, 190, 230, 270, 310, 350, 390]), 10);
    expect(growth).toMatchObject({ baselineMiB: 110, peakMiB: 390, settledMiB: 310, growthMiB: 200 });
  });

  it('needs samples on both sides of the warm-up', () => {
    expect(() => settledGrowth(series([100, 120]), 10)).toThrow(/too few memory samples of bridge/);
  });
});
