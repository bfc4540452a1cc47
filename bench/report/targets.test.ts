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

function results(rows: EchoRow[], extra: Partial<BenchResults> = {}): BenchResults {
  const pending = { status: 'pending' as const, reason: 'not run' };
  return {
    rows,
    bundles: pending,
    coldStart: pending,
    policyList: pending,
    bridgeMemory: pending,
    paired: pending,
    accounting: pending,
    cost: pending,
    notes: [],
    ...extra,
  } as unknown as BenchResults;
}

/** An accounting pass whose Worker isolate spent `ms` per call, mostly in the OAuth library. */
function accountedPath(id: string, ms: number) {
  const cpu = {
    calls: 1500,
    samples: 1,
    samplePeriodUs: 250,
    msPerCall: ms,
    parts: [
      { part: 'OAuth library', msPerCall: ms * 0.6 },
      { part: 'policy gate', msPerCall: ms * 0.4 },
    ],
  };
  return { id, label: id, accounting: { calls: 1500, worker: cpu, objects: { ...cpu, msPerCall: 0, parts: [] } } };
}

/** A cost report with only the totals the targets read. */
function costs(ours: number, template: number) {
  const path = (id: string, usd: number) => ({
    id,
    label: id,
    notes: [],
    perMillionCalls: { usd, lines: [{ item: 'Workers requests', quantity: 1e6, unit: 'requests', usd }] },
  });
  return { status: 'measured', paths: [path('local-stack-workerd', ours), path('template-workerd', template)] };
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

  it("judges issue 17's production-like targets against the template's production-like row, and says what is in the way", () => {
    const checks = checkTargets(
      results(
        [
          row('local-stack-workerd', 1.2, 3, 900),
          row('native-workerd', 2.5, 6, 700),
          row('template-workerd', 4, 9, 300),
        ],
        {
          accounting: {
            status: 'measured',
            paths: [accountedPath('local-stack-workerd', 0.8), accountedPath('template-workerd', 1)],
          },
          cost: costs(0.4, 1),
        } as unknown as Partial<BenchResults>,
      ),
    );
    const check = (prefix: string) => checks.find((candidate) => candidate.target.startsWith(prefix))!;
    expect(check('production-like: whole stack').met).toBe('yes');
    expect(check('production-like: whole stack').figure).toBe(
      "1.20 ms vs the template's 4.00 ms (0.30×, the rows' medians)",
    );
    const native = check('production-like: native tool');
    expect(native.met).toBe('no');
    expect(native.note).toBeUndefined(); // no accounting pass for the native tool here, so nothing to say from a profile
    const cpu = check('Worker isolate CPU per proxied call');
    expect(cpu.met).toBe('no');
    expect(cpu.note).toBe('where it goes: OAuth library 0.48, policy gate 0.32');
    expect(check('cost of a million proxied calls').met).toBe('yes');
    expect(check('cost of a million proxied calls').figure).toBe("$0.40 vs the template's $1.00 (0.40×)");
  });

  it("prefers the medians measured side by side to the rows', and says so", () => {
    const latency = (median: number) => ({ count: 400, median, p90: median, p99: median, min: median, max: median });
    const checks = checkTargets(
      results([row('local-stack-workerd', 1.2, 3, 900), row('template-workerd', 2, 9, 300)], {
        paired: {
          status: 'measured',
          what: 'in turns',
          latency: { 'local-stack-workerd': latency(1.9), 'template-workerd': latency(4) },
        },
      } as unknown as Partial<BenchResults>),
    );
    const stack = checks.find((candidate) => candidate.target.startsWith('production-like: whole stack'))!;
    expect(stack.figure).toBe("1.90 ms vs the template's 4.00 ms (0.47×, side by side, in turns)");
    expect(stack.met).toBe('yes');
  });

  it('says what stands in the way of a production-like target that is not met', () => {
    const checks = checkTargets(
      results([row('local-stack-workerd', 3, 6, 500), row('template-workerd', 4, 9, 300)], {
        accounting: {
          status: 'measured',
          paths: [accountedPath('local-stack-workerd', 0.4), accountedPath('template-workerd', 1)],
        },
        cost: costs(0.7, 1),
      } as unknown as Partial<BenchResults>),
    );
    const stack = checks.find((candidate) => candidate.target.startsWith('production-like: whole stack'))!;
    expect(stack.met).toBe('no');
    expect(stack.note).toMatch(
      /^the Worker's isolate spends 0\.40 ms per call \(OAuth library 0\.24, policy gate 0\.16\), the template's 1\.00 \+ 0\.00 ms/,
    );
    expect(checks.find((candidate) => candidate.target.startsWith('Worker isolate CPU'))!.met).toBe('yes');
    const cost = checks.find((candidate) => candidate.target.startsWith('cost of a million'))!;
    expect(cost.met).toBe('no');
    expect(cost.note).toBe(
      "the largest line is Workers requests ($0.70 of $0.70); ours: Workers requests $0.700; the template's: Workers requests $1.000",
    );
  });

  it("says what stands in the way of a wrangler dev target that is not met, from bench:profile's figures", () => {
    const wranglerDevProfile = {
      status: 'measured',
      measuredAt: '2026-12-06T01:02:08.017Z',
      floorMs: 2.5,
      cpuAt32: [
        { row: 'ours', callsPerSecond: 330, msPerCall: 5, sharedMsPerCall: 2 },
        { row: 'template', callsPerSecond: 200, msPerCall: 7, sharedMsPerCall: 2.5 },
      ],
    };
    const checks = checkTargets(
      results(
        [
          row('bridge', 0.8, 2, 2000),
          row('supergateway', 1, 2, 1200),
          row('local-stack', 7, 14, 300),
          row('template', 11, 25, 220),
          row('local-stack-workerd', 2, 4, 700),
        ],
        { wranglerDevProfile } as unknown as Partial<BenchResults>,
      ),
    );
    const check = (prefix: string) => checks.find((candidate) => candidate.target.startsWith(prefix))!;
    expect(check('local stack median within 2 ms').note).toBe(
      '`wrangler dev` alone costs any Worker 2.50 ms a request (a bare Worker, `npm run bench:profile` of 2026-12-06); without it (production-like row) the whole stack is 2.00 ms, 1.20 ms above the bridge',
    );
    expect(check('local stack median under half').note).toMatch(
      /above that floor ours is 4\.50 ms against the template's 8\.50 ms \(0\.53×\)$/,
    );
    const twice = check('local stack calls/s @32 at least twice');
    expect(twice.met).toBe('no');
    expect(twice.note).toMatch(
      /ours 5\.00 ms a call in all processes, of which 2\.00 ms is wrangler's proxy, wrangler and the benchmark's clients, .* the template's 7\.00 ms; twice the template's calls\/s would need about 3\.50 ms a call in all$/,
    );
    // 300 calls/s at 5 ms a call; 600 (half of supergateway's 1200) needs half of that.
    expect(check("local stack calls/s @32 at least half of supergateway's").note).toMatch(
      /would need about 2\.50 ms a call/,
    );
    expect(check('bridge median within 1 ms').note).toBeUndefined(); // met: nothing in the way
  });

  it('leaves the note out when there is no profile to take it from', () => {
    const checks = checkTargets(results([row('local-stack', 7, 14, 300), row('template', 11, 25, 220)]));
    const twice = checks.find((candidate) => candidate.target.startsWith('local stack calls/s @32 at least twice'))!;
    expect(twice.met).toBe('no');
    expect(twice.note).toBeUndefined();
  });

  it('names the largest parts of a bundle over its bound', () => {
    const size = (kind: 'proxy-only' | 'with-native-tools', gzipKiB: number) => ({
      kind,
      label: kind,
      rawKiB: gzipKiB * 3,
      gzipKiB,
      largestParts: [
        { part: '@cloudflare/workers-oauth-provider', rawKiB: 114.5 },
        { part: 'worker/src/mcp', rawKiB: 39 },
      ],
    });
    const checks = checkTargets(
      results([], {
        bundles: { status: 'measured', sizes: [size('proxy-only', 77.3), size('with-native-tools', 227)] },
      }),
    );
    const over = checks.find((check) => check.target.startsWith('Worker bundle without native tools'))!;
    expect(over.met).toBe('no');
    expect(over.note).toBe(
      'largest parts of the minified code (raw KiB): @cloudflare/workers-oauth-provider 114.5, worker/src/mcp 39',
    );
    expect(checks.find((check) => check.target.startsWith('Worker bundle with native tools'))!.note).toBeUndefined();
  });

  it('never calls a target met when its figures are missing', () => {
    const checks = checkTargets(results([row('direct-stdio', 0.2, 1, 5000)]));
    expect(checks.filter((check) => check.met === 'yes')).toEqual([]);
    expect(checks.find((check) => check.target.startsWith('native tool'))!.met).toBe('pending');
  });
});
