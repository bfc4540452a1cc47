import { describe, expect, it } from 'vitest';
import { isolateCpuFromProfile, samplerPeriodUs, threadRunShare, type CpuProfile } from './isolate-cpu.ts';

/** A profile whose samples are the given frames, the given gaps apart. */
function profile(frames: string[], gaps: number[]): CpuProfile {
  const names = [...new Set(['(root)', ...frames])];
  return {
    nodes: names.map((name, index) => ({
      id: index + 1,
      callFrame: { functionName: name, url: '', lineNumber: 0, columnNumber: 0 },
      children: index === 0 ? names.slice(1).map((_, child) => child + 2) : [],
    })),
    startTime: 0,
    endTime: gaps.reduce((sum, gap) => sum + gap, 0),
    samples: frames.map((frame) => names.indexOf(frame) + 1),
    timeDeltas: gaps,
  };
}

describe('samplerPeriodUs', () => {
  it('reads the period from back-to-back samples, not from the gaps while the isolate was idle', () => {
    const gaps = [1000, ...Array.from({ length: 30 }, (_, i) => 330 + (i % 3) * 10), 9000, 4000, 12_000];
    expect(samplerPeriodUs(gaps, 250)).toBe(340);
  });

  it('falls back to the interval asked for when too few samples came back to back', () => {
    expect(samplerPeriodUs([1000, 5000, 330, 7000], 250)).toBe(250);
  });
});

describe('isolateCpuFromProfile', () => {
  it('counts only the samples taken while the isolate ran, times the period, per call', () => {
    const busy = Array.from({ length: 40 }, (_, i) => (i % 4 === 0 ? '(garbage collector)' : 'handle'));
    const frames = [...busy, '(idle)', '(idle)', '(root)'];
    const gaps = [0, ...Array.from({ length: frames.length - 1 }, () => 300)];
    const cpu = isolateCpuFromProfile(profile(frames, gaps), 10, 250);
    expect(cpu.samples).toBe(40);
    expect(cpu.samplePeriodUs).toBe(300);
    // 40 samples × 300 µs over 10 calls.
    expect(cpu.msPerCall).toBeCloseTo(1.2, 10);
  });
});

describe('threadRunShare', () => {
  it("reads how much of its busy time a thread ran between two schedstat readings, and scales the isolate's time by it", () => {
    const share = threadRunShare('1000000 0 1', '7000000 2000000 9');
    expect(share).toEqual({ cpuMs: 6, waitMs: 2, share: 0.75 });
    expect(threadRunShare('5 5 1', '5 5 1').share).toBe(1);
    expect(() => threadRunShare('garbage', '1 2 3')).toThrow(/not \/proc schedstat lines/);
  });

  it('gives the isolate the CPU share of its in-use time', () => {
    const frames = Array.from({ length: 40 }, () => 'handle');
    const gaps = [0, ...Array.from({ length: 39 }, () => 300)];
    const cpu = isolateCpuFromProfile(profile(frames, gaps), 10, 250, 0.75);
    expect(cpu.inUseMsPerCall).toBeCloseTo(1.2, 10);
    expect(cpu.msPerCall).toBeCloseTo(0.9, 10);
  });
});
