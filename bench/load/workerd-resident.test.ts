import { describe, expect, it } from 'vitest';
import type { SettledGrowth } from './memory-growth.ts';
import { bareWorkerControl, workerdResidentGrowth } from './workerd-resident.ts';

const grew = (growthMiB: number, callsToSettle: number): SettledGrowth => ({
  name: 'Worker (workerd)',
  baselineMiB: 1000,
  peakMiB: 1000 + growthMiB,
  settledMiB: 1000 + growthMiB,
  growthMiB,
  callsToSettle,
});

describe('bareWorkerControl', () => {
  it('spreads the growth over the counted requests', () => {
    expect(bareWorkerControl(4_000, 16, 241 * 1024, 483 * 1024)).toEqual({
      requests: 4_000,
      clients: 16,
      beforeMiB: 241,
      afterMiB: 483,
      kibPerRequest: 62,
    });
  });

  it('counts memory that shrank as no growth, and needs requests', () => {
    expect(bareWorkerControl(100, 1, 2048, 1024).kibPerRequest).toBe(0);
    expect(() => bareWorkerControl(0, 16, 0, 0)).toThrow(/at least one request/);
  });
});

describe('workerdResidentGrowth', () => {
  const control = bareWorkerControl(4_000, 16, 0, 4_000 * 62);

  it('passes growth per call within the margin over the control', () => {
    // 709 MiB over 33,141 calls: 21.9 KiB per call, against 62 × 1.5 = 93 KiB.
    expect(workerdResidentGrowth(grew(709, 33_141), control, 1.5)).toMatchObject({
      kibPerCall: 21.9,
      boundKiBPerCall: 93,
      withinBound: true,
    });
  });

  it('fails growth per call beyond the margin', () => {
    expect(workerdResidentGrowth(grew(1_000, 10_000), control, 1.5)).toMatchObject({
      kibPerCall: 102.4,
      withinBound: false,
    });
  });

  it('needs calls between the warm-up and the settled sample', () => {
    expect(() => workerdResidentGrowth(grew(1, 0), control, 1.5)).toThrow(
      /no calls between the warm-up and the settled sample/,
    );
  });
});
