import { describe, expect, it } from 'vitest';
import { isolateHeapGrowth } from './isolate-heap-growth.ts';

const MiB = 2 ** 20;

describe('isolateHeapGrowth', () => {
  it('passes a heap that grew less than its bound', () => {
    expect(isolateHeapGrowth(4.1 * MiB, 4.6 * MiB, 16)).toEqual({
      afterWarmUpMiB: 4.1,
      atEndMiB: 4.6,
      growthMiB: 0.5,
      boundMiB: 16,
      withinBound: true,
    });
  });

  it('fails a heap that kept what the calls left behind beyond the bound', () => {
    expect(isolateHeapGrowth(4 * MiB, 30 * MiB, 16)).toMatchObject({ growthMiB: 26, withinBound: false });
  });

  it('counts a heap that shrank as no growth', () => {
    expect(isolateHeapGrowth(6 * MiB, 5 * MiB, 16)).toMatchObject({ growthMiB: 0, withinBound: true });
  });
});
