/**
 * CPU per call of one Worker isolate, from a V8 CPU profile taken through workerd's inspector.
 * workerd does not account CPU time locally (a tail Worker's `cpuTime` reads 0 there), and its
 * process runs every isolate (the Worker, its Durable Objects, Miniflare's KV) and the HTTP
 * serving on one thread, so neither it nor `/proc` can say what one isolate spent. A profile can:
 * V8's sampler records a sample only while the profiled isolate is in use (entered on its
 * thread), so the samples times the sampler's period is the time the isolate held the thread,
 * which is the CPU time Cloudflare bills (time spent waiting on I/O is not in it).
 *
 * The sampler's real period is longer than the interval asked for (the sampling thread wakes up
 * late, by about 50 to 100 µs here), so it is read from the profile itself: the gaps between two
 * samples taken back to back while the isolate stayed busy. An attached profiler slows the
 * isolate a little (each sample interrupts it), so the figure leans high rather than low.
 */
import { openDevToolsSession } from './devtools-session.ts';

/** A V8 CPU profile as `Profiler.stop` returns it. */
export interface CpuProfile {
  nodes: Array<{
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
    children?: number[];
  }>;
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** What the profile says one isolate spent. */
export interface IsolateCpu {
  /** Calls the profile spans. */
  calls: number;
  /** Samples taken while the isolate was in use. */
  samples: number;
  /** The sampler's period as the profile shows it, in µs. */
  samplePeriodUs: number;
  /** CPU time of the isolate per call, in ms: the time it was in use, less its share of the thread's waits for a CPU. */
  msPerCall: number;
  /** The time the isolate was in use per call, in ms, waits for a CPU included. */
  inUseMsPerCall: number;
}

/**
 * How much of its busy time workerd's thread actually ran, over a stretch: CPU time ÷ (CPU time +
 * time spent runnable but waiting for a CPU), from `/proc/<pid>/task/<tid>/schedstat`. On a busy
 * machine the isolate holds the thread while the thread waits for a CPU, and the profile counts that
 * time as in use; the isolate's share of the waits is taken to be its share of the thread's time.
 */
export interface ThreadRunShare {
  cpuMs: number;
  waitMs: number;
  /** `cpuMs / (cpuMs + waitMs)`, 1 when the thread never waited. */
  share: number;
}

/**
 * Reads a thread's run share between two `schedstat` readings (nanoseconds: on CPU, waiting to
 * run, time slices). Pure.
 *
 * @example
 * ```ts
 * threadRunShare('1000000 0 1', '3000000 1000000 5'); // { cpuMs: 2, waitMs: 1, share: 0.666… }
 * ```
 */
export function threadRunShare(before: string, after: string): ThreadRunShare {
  const read = (text: string) => text.trim().split(/\s+/).map(Number);
  const [cpuBefore, waitBefore] = read(before);
  const [cpuAfter, waitAfter] = read(after);
  if ([cpuBefore, waitBefore, cpuAfter, waitAfter].some((value) => !Number.isFinite(value)))
    throw new Error(`not /proc schedstat lines: ${JSON.stringify([before, after])}`);
  const cpuMs = (cpuAfter! - cpuBefore!) / 1e6;
  const waitMs = (waitAfter! - waitBefore!) / 1e6;
  return { cpuMs, waitMs, share: cpuMs + waitMs > 0 ? cpuMs / (cpuMs + waitMs) : 1 };
}

/** V8's pseudo-frames for a sample taken while the isolate was not running code of its own. */
const IDLE_FRAMES = new Set(['(idle)', '(root)']);

/**
 * The sampler's period: the median gap between consecutive samples that lie within half to twice
 * the interval asked for (back-to-back samples of a busy isolate); the interval itself when the
 * profile has too few such gaps (an isolate that is never busy for two periods in a row). Pure.
 *
 * @example
 * ```ts
 * samplerPeriodUs(profile.timeDeltas, 250); // about 340 on this machine
 * ```
 */
export function samplerPeriodUs(timeDeltas: readonly number[], intervalUs: number): number {
  const backToBack = timeDeltas
    .slice(1)
    .filter((gap) => gap >= intervalUs / 2 && gap <= intervalUs * 2)
    .sort((a, b) => a - b);
  if (backToBack.length < 20) return intervalUs;
  const middle = backToBack.length / 2;
  return backToBack.length % 2 === 1
    ? backToBack[Math.floor(middle)]!
    : (backToBack[middle - 1]! + backToBack[middle]!) / 2;
}

/**
 * The isolate's CPU per call from a profile that spanned `calls` calls: samples taken while the
 * isolate was in use, times the sampler's period, times the thread's run share over the same
 * stretch (1 when not known). Pure.
 *
 * @example
 * ```ts
 * const cpu = isolateCpuFromProfile(profile, 2000, 250, 0.9);
 * console.log(cpu.msPerCall);
 * ```
 */
export function isolateCpuFromProfile(
  profile: CpuProfile,
  calls: number,
  intervalUs: number,
  runShare = 1,
): IsolateCpu {
  const names = new Map(profile.nodes.map((node) => [node.id, node.callFrame.functionName]));
  const samples = profile.samples.filter((id) => !IDLE_FRAMES.has(names.get(id) ?? '')).length;
  const samplePeriodUs = samplerPeriodUs(profile.timeDeltas, intervalUs);
  const inUseMsPerCall = (samples * samplePeriodUs) / 1000 / calls;
  return { calls, samples, samplePeriodUs, msPerCall: inUseMsPerCall * runShare, inUseMsPerCall };
}

/** A profiler attached to one isolate; `stop()` ends it and returns the profile. */
export interface IsolateProfiler {
  stop(): Promise<CpuProfile>;
}

/**
 * Starts a CPU profile of the isolate `target` (e.g. `core:user:worker`) behind the inspector at
 * `inspectorPort`, sampling every `intervalUs` µs (as asked; see {@link samplerPeriodUs}).
 *
 * @example
 * ```ts
 * const profiler = await startIsolateProfiler(port, 'core:user:worker', 250);
 * for (let i = 0; i < 2000; i += 1) await client.call();
 * const cpu = isolateCpuFromProfile(await profiler.stop(), 2000, 250);
 * ```
 */
export async function startIsolateProfiler(
  inspectorPort: number,
  target: string,
  intervalUs: number,
): Promise<IsolateProfiler> {
  const session = await openDevToolsSession(inspectorPort, { target });
  try {
    await session.send('Profiler.enable');
    await session.send('Profiler.setSamplingInterval', { interval: intervalUs });
    await session.send('Profiler.start');
  } catch (error) {
    session.close();
    throw error;
  }
  return {
    async stop() {
      try {
        const { profile } = (await session.send('Profiler.stop')) as { profile?: CpuProfile };
        if (!profile) throw new Error(`Profiler.stop at ${session.socketUrl} returned no profile`);
        return profile;
      } finally {
        session.close();
      }
    },
  };
}
