/**
 * What `npm run load` concludes: the figures of a run, a pass or fail verdict for each bound they
 * are held to, and the text printed at the end, kept apart from the measuring so the verdicts are
 * pure and tested.
 */
import type { AuditCoverage } from './audit-coverage.ts';
import type { IsolateHeapGrowth } from './isolate-heap-growth.ts';
import type { SettledGrowth } from './memory-growth.ts';
import type { MemoryGrowthRate } from './memory-growth-rate.ts';
import type { WorkerdResidentGrowth } from './workerd-resident.ts';

/** Everything `npm run load` checked. */
export interface LoadReport {
  clients: number;
  durationSeconds: number;
  signInSeconds: number;
  calls: number;
  errors: number;
  firstError?: string;
  callsPerSecond: number;
  /** The bridge host process's live heap (bridge and Access stand-in) after a full collection, after warm-up and at the end. */
  bridgeHeap: IsolateHeapGrowth;
  /**
   * The bridge host process's memory: outside its V8 heap (resident minus the heap V8 holds), its
   * growth per call after warm-up (judged); resident, settled minus the warm-up's peak (shown).
   */
  bridgeMemory: { outsideHeap: MemoryGrowthRate; resident: SettledGrowth };
  /** The Worker isolate's live heap after a full collection, after warm-up and at the end. */
  isolateHeap: IsolateHeapGrowth;
  /** Every workerd process's resident memory per call, against the bare Worker's per request. */
  workerdResident: WorkerdResidentGrowth;
  /** Stdio children of the bridge at the end of the calls: one per session, no more. */
  children: { atEnd: number; bound: number };
  /** `undefined` when the Worker wrote no audit records at all (the audit is not there yet). */
  audit: AuditCoverage | undefined;
}

/** One check of the load test and its verdict. */
export interface LoadCheck {
  name: string;
  verdict: 'pass' | 'fail' | 'pending';
  detail: string;
}

const count = (value: number) => value.toLocaleString('en-US');

function heapCheck(name: string, heap: IsolateHeapGrowth): LoadCheck {
  return {
    name,
    verdict: heap.withinBound ? 'pass' : 'fail',
    detail: `${heap.afterWarmUpMiB} MiB after warm-up, ${heap.atEndMiB} MiB at the end (full GC): +${heap.growthMiB} MiB (bound ${heap.boundMiB})`,
  };
}

function bridgeOutsideHeapCheck({ outsideHeap, resident }: LoadReport['bridgeMemory']): LoadCheck {
  return {
    name: 'bridge memory outside its heap',
    verdict: outsideHeap.withinBound ? 'pass' : 'fail',
    detail:
      `resident minus V8's heap ${outsideHeap.fromMiB} → ${outsideHeap.toMiB} MiB after warm-up: ${outsideHeap.mibPer1000Calls} MiB per 1,000 calls over ${count(outsideHeap.calls)} calls ` +
      `(bound ${outsideHeap.boundMiBPer1000Calls}); resident, settled vs the warm-up's peak: ${resident.baselineMiB} → ${resident.settledMiB} MiB (+${resident.growthMiB}, peak ${resident.peakMiB})`,
  };
}

function workerdResidentCheck(resident: WorkerdResidentGrowth): LoadCheck {
  const { control } = resident;
  return {
    name: 'workerd resident memory',
    verdict: resident.withinBound ? 'pass' : 'fail',
    detail:
      `+${resident.growthMiB} MiB (${resident.baselineMiB} → ${resident.settledMiB}) over the ${count(resident.callsToSettle)} calls from warm-up to settled = ${resident.kibPerCall} KiB/call ` +
      `(bound ${resident.boundKiBPerCall} KiB/call = ${resident.margin} × the control); a bare "ok" Worker under the same wrangler dev: ` +
      `${control.kibPerRequest} KiB/request (control, ${count(control.requests)} requests)`,
  };
}

/**
 * The verdicts of a load run: zero errors, memory within bounds, no stray children, every
 * call audited exactly once. A missing audit log is `pending`, never `pass`. Pure.
 *
 * @example
 * ```ts
 * const failed = loadChecks(report).some((check) => check.verdict !== 'pass');
 * ```
 */
export function loadChecks(report: LoadReport): LoadCheck[] {
  const checks: LoadCheck[] = [
    {
      name: 'zero errors',
      verdict: report.errors === 0 && report.calls > 0 ? 'pass' : 'fail',
      detail: `${report.calls} calls, ${report.errors} errors${report.firstError ? ` (first: ${report.firstError})` : ''}`,
    },
    heapCheck('bridge heap', report.bridgeHeap),
    bridgeOutsideHeapCheck(report.bridgeMemory),
    heapCheck('Worker isolate heap', report.isolateHeap),
    workerdResidentCheck(report.workerdResident),
    {
      name: 'stdio children',
      verdict: report.children.atEnd <= report.children.bound ? 'pass' : 'fail',
      detail: `${report.children.atEnd} running with ${report.clients} sessions (bound ${report.children.bound})`,
    },
  ];
  const audit = report.audit;
  if (audit === undefined) {
    checks.push({
      name: 'audit: each call once',
      verdict: 'pending',
      detail: "the Worker wrote no audit records (the policy gate's audit log is not there yet)",
    });
  } else {
    const exact = audit.missing === 0 && audit.duplicated === 0 && audit.unexpected === 0;
    checks.push({
      name: 'audit: each call once',
      verdict: exact ? 'pass' : 'fail',
      detail: `${audit.records} records for ${audit.calls} calls: ${audit.missing} missing, ${audit.duplicated} duplicated, ${audit.unexpected} unexpected`,
    });
  }
  return checks;
}

/**
 * The one-screen summary of a load run. Pure.
 *
 * @example
 * ```ts
 * console.log(loadSummary(report, loadChecks(report)));
 * ```
 */
export function loadSummary(report: LoadReport, checks: readonly LoadCheck[]): string {
  const overall = checks.every((check) => check.verdict === 'pass')
    ? 'PASSED'
    : checks.some((check) => check.verdict === 'fail')
      ? 'FAILED'
      : 'PENDING';
  const width = Math.max(...checks.map((check) => check.name.length));
  return [
    `npm run load: ${report.clients} signed-in clients, each on its own session, calling echo for ${report.durationSeconds} s through the local stack`,
    `sign-in of all clients: ${report.signInSeconds.toFixed(1)} s; throughput: ${report.callsPerSecond.toFixed(1)} calls/s`,
    '',
    ...checks.map((check) => `${check.verdict.toUpperCase().padEnd(7)} ${check.name.padEnd(width)}  ${check.detail}`),
    '',
    `load test ${overall}`,
  ].join('\n');
}
