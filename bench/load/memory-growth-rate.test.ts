import { describe, expect, it } from 'vitest';
import { growthPer1000Calls } from './memory-growth-rate.ts';

/** One sample every 2 s from 30 s on, in MiB, with 500 calls between samples. */
const series = (values: number[]) => ({
  name: 'bridge outside its V8 heap',
  samples: values.map((mib, i) => ({ atSeconds: 30 + i * 2, rssKiB: mib * 1024, calls: 8_000 + i * 500 })),
});
/** `count` samples rising steadily by `step` MiB from `start`. */
const ramp = (start: number, step: number, count: number) => Array.from({ length: count }, (_, i) => start + i * step);

describe('growthPer1000Calls', () => {
  it('gives the slope of memory over calls made', () => {
    // 0.5 MiB per 500 calls: 1 MiB per 1,000 calls.
    expect(growthPer1000Calls(series(ramp(76, 0.5, 46)), 30, 1)).toEqual({
      name: 'bridge outside its V8 heap',
      fromMiB: 76,
      toMiB: 98.5,
      calls: 22_500,
      mibPer1000Calls: 1,
      boundMiBPer1000Calls: 1,
      withinBound: true,
    });
    expect(growthPer1000Calls(series(ramp(76, 0.6, 46)), 30, 1)).toMatchObject({
      mibPer1000Calls: 1.2,
      withinBound: false,
    });
  });

  it('is moved little by a dip of a few samples, wherever it lands', () => {
    // Flat at 76 MiB, with a 25 MiB dip over two samples (V8 holding new heap pages not yet
    // touched): at either end it moves the slope by about a quarter of a bound of 1, mid-run hardly.
    for (const dipAt of [1, 22, 43]) {
      const values = ramp(76, 0, 46).map((mib, i) => (i === dipAt || i === dipAt + 1 ? mib - 25 : mib));
      expect(Math.abs(growthPer1000Calls(series(values), 30, 1).mibPer1000Calls)).toBeLessThan(
        dipAt === 22 ? 0.01 : 0.3,
      );
    }
  });

  it('fails memory that rises in steps as well as steadily', () => {
    // 9 MiB every 10 samples (5,000 calls): 1.8 MiB per 1,000 calls on average.
    const steps = Array.from({ length: 46 }, (_, i) => 76 + Math.floor(i / 10) * 9);
    expect(growthPer1000Calls(series(steps), 30, 1)).toMatchObject({ withinBound: false });
  });

  it('reads falling memory as a negative slope, and starts where it is told', () => {
    expect(growthPer1000Calls(series([80, 78, 76, 74]), 30, 1).mibPer1000Calls).toBeLessThan(0);
    expect(growthPer1000Calls(series([500, 76, 76, 76]), 32, 1)).toMatchObject({
      fromMiB: 76,
      calls: 1_000,
      mibPer1000Calls: 0,
    });
  });

  it('needs samples and calls after the warm-up', () => {
    expect(() => growthPer1000Calls(series([76, 76]), 30, 1)).toThrow(
      /too few memory samples of bridge outside its V8 heap after 30 s/,
    );
    const idle = {
      name: 'bridge',
      samples: [0, 1, 2].map((i) => ({ atSeconds: 30 + i * 2, rssKiB: 76 * 1024, calls: 8_000 })),
    };
    expect(() => growthPer1000Calls(idle, 30, 1)).toThrow(/no calls between the samples of bridge/);
  });
});
