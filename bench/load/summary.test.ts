import { describe, expect, it } from 'vitest';
import { isolateHeapGrowth } from './isolate-heap-growth.ts';
import { growthPer1000Calls } from './memory-growth-rate.ts';
import { loadChecks, loadSummary, type LoadReport } from './summary.ts';
import { bareWorkerControl, workerdResidentGrowth } from './workerd-resident.ts';

const MiB = 2 ** 20;
const control = bareWorkerControl(4_000, 16, 240 * 1024, 482 * 1024);
/** The bridge outside its V8 heap every 2 s after a 30 s warm-up: 76 MiB, rising by `kibPerCall` KiB per call. */
const outsideHeap = (kibPerCall: number) =>
  growthPer1000Calls(
    {
      name: 'bridge outside its V8 heap',
      samples: Array.from({ length: 46 }, (_, i) => ({
        atSeconds: 30 + i * 2,
        rssKiB: 76 * 1024 + i * 500 * kibPerCall,
        calls: 8_000 + i * 500,
      })),
    },
    30,
    1,
  );
const bridgeMemory = (kibPerCall: number) => ({
  outsideHeap: outsideHeap(kibPerCall),
  resident: {
    name: 'bridge',
    baselineMiB: 185.1,
    peakMiB: 184.1,
    settledMiB: 183.3,
    growthMiB: 0,
    callsToSettle: 17_634,
  },
});
const settled = (growthMiB: number) => ({
  name: 'Worker (workerd)',
  baselineMiB: 1338.4,
  peakMiB: 2172.7,
  settledMiB: Math.round((1338.4 + growthMiB) * 10) / 10,
  growthMiB,
  callsToSettle: 24_800,
});

const report = (overrides: Partial<LoadReport> = {}): LoadReport => ({
  clients: 64,
  durationSeconds: 120,
  signInSeconds: 10.3,
  calls: 33_141,
  errors: 0,
  callsPerSecond: 276,
  bridgeHeap: isolateHeapGrowth(38.2 * MiB, 38.9 * MiB, 16),
  bridgeMemory: bridgeMemory(0.1),
  isolateHeap: isolateHeapGrowth(4.1 * MiB, 4.6 * MiB, 16),
  workerdResident: workerdResidentGrowth(settled(708.9), control, 1.5),
  children: { atEnd: 64, bound: 64 },
  audit: { calls: 33_141, records: 33_141, missing: 0, duplicated: 0, unexpected: 0 },
  ...overrides,
});

const check = (checks: ReturnType<typeof loadChecks>, name: string) => checks.find((each) => each.name === name)!;

describe('loadChecks', () => {
  it('says what each bridge memory figure is', () => {
    const checks = loadChecks(report());
    expect(check(checks, 'bridge heap')).toEqual({
      name: 'bridge heap',
      verdict: 'pass',
      detail: '38.2 MiB after warm-up, 38.9 MiB at the end (full GC): +0.7 MiB (bound 16)',
    });
    expect(check(checks, 'bridge memory outside its heap')).toEqual({
      name: 'bridge memory outside its heap',
      verdict: 'pass',
      detail:
        "resident minus V8's heap 76 → 78.2 MiB after warm-up: 0.1 MiB per 1,000 calls over 22,500 calls (bound 1); " +
        "resident, settled vs the warm-up's peak: 185.1 → 183.3 MiB (+0, peak 184.1)",
    });
  });

  it('fails a growing bridge heap, and bridge memory outside it rising per call beyond its bound, each on its own', () => {
    const heapGrew = loadChecks(report({ bridgeHeap: isolateHeapGrowth(38 * MiB, 60 * MiB, 16) }));
    expect(check(heapGrew, 'bridge heap').verdict).toBe('fail');
    expect(check(heapGrew, 'bridge memory outside its heap').verdict).toBe('pass');
    const outsideGrew = loadChecks(report({ bridgeMemory: bridgeMemory(1.5) }));
    expect(check(outsideGrew, 'bridge memory outside its heap').verdict).toBe('fail');
    expect(check(outsideGrew, 'bridge heap').verdict).toBe('pass');
  });

  it('says what each Worker memory figure is', () => {
    const checks = loadChecks(report());
    expect(check(checks, 'Worker isolate heap')).toEqual({
      name: 'Worker isolate heap',
      verdict: 'pass',
      detail: '4.1 MiB after warm-up, 4.6 MiB at the end (full GC): +0.5 MiB (bound 16)',
    });
    expect(check(checks, 'workerd resident memory')).toEqual({
      name: 'workerd resident memory',
      verdict: 'pass',
      detail:
        '+708.9 MiB (1338.4 → 2047.3) over the 24,800 calls from warm-up to settled = 29.3 KiB/call (bound 93 KiB/call = 1.5 × the control); ' +
        'a bare "ok" Worker under the same wrangler dev: 62 KiB/request (control, 4,000 requests)',
    });
  });

  it("fails a growing isolate heap, and workerd growth per call beyond the control's margin, each on its own", () => {
    const heapGrew = loadChecks(report({ isolateHeap: isolateHeapGrowth(4 * MiB, 40 * MiB, 16) }));
    expect(check(heapGrew, 'Worker isolate heap').verdict).toBe('fail');
    expect(check(heapGrew, 'workerd resident memory').verdict).toBe('pass');
    const residentGrew = loadChecks(report({ workerdResident: workerdResidentGrowth(settled(3_000), control, 1.5) }));
    expect(check(residentGrew, 'workerd resident memory').verdict).toBe('fail');
    expect(check(residentGrew, 'Worker isolate heap').verdict).toBe('pass');
  });

  it('reads a missing audit log as pending, never as a pass', () => {
    expect(check(loadChecks(report({ audit: undefined })), 'audit: each call once').verdict).toBe('pending');
  });
});

describe('loadSummary', () => {
  it('ends with the overall verdict', () => {
    expect(loadSummary(report(), loadChecks(report()))).toMatch(/load test PASSED$/);
    const failing = report({ errors: 1 });
    expect(loadSummary(failing, loadChecks(failing))).toMatch(/load test FAILED$/);
  });
});
