/**
 * The accounting pass of a Worker row: what one call costs the Worker in the units Cloudflare
 * bills, measured on a production-like instance that runs the bundle inside the
 * operation-counting wrapper (`operation-counts.ts`) with an inspector open: the CPU of the
 * Worker's isolate and of its Durable Objects' isolate (CPU profiles, `isolate-cpu.ts`) and the
 * operations counted per call, over the same calls. Never on the instance that times the row:
 * an open inspector alone makes each `console.log` dearer.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SourceMapPayload } from 'node:module';
import type { BenchClient } from '../paths/echo-path.ts';
import {
  isolateCpuFromProfile,
  startIsolateProfiler,
  threadRunShare,
  type CpuProfile,
  type IsolateCpu,
  type ThreadRunShare,
} from './isolate-cpu.ts';
import { descendantPids, readCommandLine } from './process-memory.ts';
import { countsPerCall, readOperationCounts, type OperationCounts } from './operation-counts.ts';
import { cpuByPart, type BundleSources, type CpuShare } from './profile-categories.ts';

/** Miniflare's names of the isolates `dev/stack/direct-workerd-host.ts` runs. */
export const WORKER_ISOLATE = 'core:user:worker';
export const OBJECTS_ISOLATE = 'core:user:objects';

/** What one call costs a Worker, measured. */
export interface WorkerAccounting {
  /** Calls measured (after the warm-up). */
  calls: number;
  /** The Worker's isolate: CPU per call (billed as Workers CPU time), and where it goes. */
  worker: IsolateCpu & { parts: CpuShare[] };
  /** The Durable Objects' isolate: CPU per call (a Durable Object bills wall time while active; this is its floor). */
  objects: IsolateCpu & { parts: CpuShare[] };
  /** Operations counted per call. */
  operations: OperationCounts;
  /** How much of its busy time workerd's thread ran over the profiled calls (the rest it waited for a CPU). */
  thread?: ThreadRunShare;
  /**
   * Trace events per call (one per invocation, of the Worker or of a Durable Object) and their size
   * as JSON: what Workers Logs ingests, less Cloudflare's own enrichment. Absent without a tail Worker.
   */
  traces?: { eventsPerCall: number; bytesPerCall: number };
}

/** Calls and sampling of an accounting pass. */
export const ACCOUNTING = { warmUpCalls: 200, calls: 800, samplingIntervalUs: 250 } as const;

/**
 * Warms `client` up, then profiles both isolates and counts operations over
 * {@link ACCOUNTING}.calls sequential calls.
 *
 * @example
 * ```ts
 * const accounting = await measureWorkerAccounting(client, { workerUrl: stack.workerUrl, inspectorPort: stack.inspectorPort });
 * console.log(accounting.worker.msPerCall, accounting.operations.kv.get);
 * ```
 */
export async function measureWorkerAccounting(
  client: BenchClient,
  target: {
    workerUrl: string;
    inspectorPort: number;
    workerMain?: string;
    traceSizesUrl?: string;
    /** A process whose descendants include the Worker's workerd (its thread's waits correct the profile). */
    processRoot?: number;
  },
  calls: { warmUp?: number; measured?: number } = {},
): Promise<WorkerAccounting> {
  const sources = target.workerMain === undefined ? undefined : await bundleSources(target.workerMain);
  const measured = calls.measured ?? ACCOUNTING.calls;
  for (let i = 0; i < (calls.warmUp ?? ACCOUNTING.warmUpCalls); i += 1) await client.call();
  const tracesBefore = target.traceSizesUrl === undefined ? undefined : await settledTraceSizes(target.traceSizesUrl);
  const before = await readOperationCounts(target.workerUrl);
  const workerd = target.processRoot === undefined ? undefined : await workerdPid(target.processRoot);
  const schedstat = (pid: number) => readFile(`/proc/${pid}/task/${pid}/schedstat`, 'utf8');
  const schedBefore = workerd === undefined ? undefined : await schedstat(workerd);
  const profilers = await Promise.all(
    [WORKER_ISOLATE, OBJECTS_ISOLATE].map((isolate) =>
      startIsolateProfiler(target.inspectorPort, isolate, ACCOUNTING.samplingIntervalUs),
    ),
  );
  let profiles;
  try {
    for (let i = 0; i < measured; i += 1) await client.call();
  } finally {
    profiles = await Promise.all(profilers.map((profiler) => profiler.stop()));
  }
  const thread =
    workerd === undefined || schedBefore === undefined
      ? undefined
      : threadRunShare(schedBefore, await schedstat(workerd));
  const after = await readOperationCounts(target.workerUrl);
  const tracesAfter = target.traceSizesUrl === undefined ? undefined : await settledTraceSizes(target.traceSizesUrl);
  const share = thread?.share ?? 1;
  const withParts = (profile: CpuProfile) => {
    const cpu = isolateCpuFromProfile(profile, measured, ACCOUNTING.samplingIntervalUs, share);
    return { ...cpu, parts: cpuByPart(profile, measured, cpu.samplePeriodUs * share, sources) };
  };
  return {
    calls: measured,
    worker: withParts(profiles[0]!),
    objects: withParts(profiles[1]!),
    operations: countsPerCall(before, after, measured),
    ...(thread ? { thread } : {}),
    ...(tracesBefore && tracesAfter
      ? {
          traces: {
            eventsPerCall: (tracesAfter.events - tracesBefore.events) / measured,
            bytesPerCall: (tracesAfter.bytes - tracesBefore.bytes) / measured,
          },
        }
      : {}),
  };
}

/**
 * The trace-sizing tail Worker's counts once they stop moving: tail events arrive after their
 * invocation ends, so the counts are read until two readings 200 ms apart agree (10 s at most).
 */
async function settledTraceSizes(url: string): Promise<{ events: number; bytes: number }> {
  const read = async () => (await (await fetch(url)).json()) as { events: number; bytes: number };
  let last = await read();
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    const next = await read();
    if (next.events === last.events) return next;
    last = next;
  }
  throw new Error(`the trace events at ${url} did not settle within 10 s`);
}

/**
 * The bundle beside `main` (`index.js`, whether `main` is the bundle or the counting wrapper that
 * imports it) and its source map, when one was written; else `undefined`.
 */
async function bundleSources(main: string): Promise<BundleSources | undefined> {
  const folder = join(main, '..');
  const text = await readFile(join(folder, 'index.js.map'), 'utf8').catch(() => undefined);
  return text === undefined ? undefined : { moduleName: 'index.js', map: JSON.parse(text) as SourceMapPayload };
}

/** The `workerd` process among `root`'s descendants (its main thread runs every isolate). */
async function workerdPid(root: number): Promise<number | undefined> {
  for (const pid of await descendantPids(root)) {
    const program = (await readCommandLine(pid)).split(' ')[0] ?? '';
    if (program === 'workerd' || program.endsWith('/workerd')) return pid;
  }
  return undefined;
}
