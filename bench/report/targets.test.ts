import { describe, expect, it } from 'vitest';
import type { EchoRow } from '../measure/echo-row.ts';
import type { BenchResults } from './results.ts';
import { checkTargets } from './targets.ts';

const row = (id: string, median: number, p99: number, at32: number): EchoRow => ({
  id,
  label: id,
  status: 'measured',
  latency: { count: 200, median, p90: median, p99, min: median, max: p99 },
  throughput: [{ concurrency: 32, callsPerSecond: at32, calls: 1, errors: 0, seconds: 4 }],
});

function results(rows: EchoRow[]): BenchResults {
  const pending = { status: 'pending' as const, reason: 'not run' };
  return {
    rows,
    bundles: pending,
    coldStart: pending,
    policyList: pending,
    bridgeMemory: pending,
    notes: [],
  } as unknown as BenchResults;
}

describe('checkTargets', () => {
  it('judges the targets from the figures of the run', () => {
    const checks = checkTargets(
      results([
        row('direct-stdio', 0.2, 1, 5000),
        row('bridge', 1.0, 3, 800),
        row('local-stack', 2.5, 6, 400),
        row('supergateway', 3.3, 9, 780),
      ]),
    );
    const verdict = (prefix: string) => checks.find((check) => check.target.startsWith(prefix))!.met;
    expect(verdict('bridge median within 1 ms')).toBe('yes');
    expect(verdict('local stack median within 2 ms')).toBe('yes');
    expect(verdict('local stack p99 under 3×')).toBe('yes');
    expect(verdict('local stack calls/s @32 at least twice')).toBe('yes');
    expect(verdict("local stack calls/s @32 at least half of supergateway's")).toBe('yes');
  });

  it('fails a target the figures miss', () => {
    const checks = checkTargets(results([row('direct-stdio', 0.2, 1, 5000), row('bridge', 3.3, 9, 300)]));
    expect(checks.find((check) => check.target.startsWith('bridge median'))!.met).toBe('no');
  });

  it("compares with this run's template row when it was measured, and says so", () => {
    const checks = checkTargets(results([row('local-stack', 12, 20, 300), row('template', 30, 60, 100)]));
    const median = checks.find((check) => check.target.startsWith('local stack median under half'))!;
    expect(median.met).toBe('yes');
    expect(median.figure).toBe("12.00 ms vs the template's 30.00 ms (measured live in this run)");
    const throughput = checks.find((check) => check.target.startsWith('local stack calls/s @32 at least twice'))!;
    expect(throughput.met).toBe('yes');
    expect(throughput.figure).toMatch(/300 vs the template's 100 calls\/s \(measured live in this run\)/);
  });

  it("falls back to the issue's reference figures without a template row, and says so", () => {
    const checks = checkTargets(results([row('local-stack', 12, 20, 300)]));
    const median = checks.find((check) => check.target.startsWith('local stack median under half'))!;
    expect(median.met).toBe('no');
    expect(median.figure).toMatch(/the template's 13.90 ms \(the issue's reference figure/);
  });

  it('never calls a target met when its figures are missing', () => {
    const checks = checkTargets(results([row('direct-stdio', 0.2, 1, 5000)]));
    expect(checks.filter((check) => check.met === 'yes')).toEqual([]);
    expect(checks.find((check) => check.target.startsWith('native tool'))!.met).toBe('pending');
  });
});
