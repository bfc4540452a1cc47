/**
 * What the last `npm run bench:profile` (bench/results/hot-path.json) says about the rows under
 * `wrangler dev`, kept in `latest.json` so that a target those rows miss can say what stands in the
 * way from a profile: the floor `wrangler dev` puts under any Worker, and each process's CPU per
 * call at 32 clients, where the machine's cores are full and calls/s is CPU per call. `npm run
 * bench` itself does not profile the `wrangler dev` rows (it would not finish in five minutes), so
 * the figures come from that other run, and the notes give its date.
 */
import { readFile } from 'node:fs/promises';

/** The part of hot-path.json the targets' notes read. */
export interface WranglerDevProfile {
  measuredAt: string;
  /** The machine's load average when that run started, where it was recorded. */
  loadAverageAtStart?: number;
  /** Median of a bare "ok" Worker under `wrangler dev` (stage 0): what `wrangler dev` costs any request. */
  floorMs: number;
  /** CPU per call of each process at 32 clients, for our stack and the template shape. */
  cpuAt32: Array<{ row: 'ours' | 'template'; callsPerSecond: number; msPerCall: number; sharedMsPerCall: number }>;
}

interface HotPathFile {
  measuredAt: string;
  loadAverageAtStart?: number;
  stages: Array<{ stage: string; latency: { median: number } }>;
  cpuAt32Clients: Array<{ row: string; callsPerSecond: number; shares: Array<{ name: string; msPerCall: number }> }>;
}

/**
 * Processes that spend the same on every row under `wrangler dev` whatever the Worker does:
 * wrangler's proxy Worker, wrangler's Node process, the benchmark's clients (with the template's
 * Access stand-in). Matched by the names `bench:profile` gives them.
 */
const SHARED = /wrangler's proxy|wrangler \(Node\)|bench clients|esbuild/;

/**
 * Reduces hot-path.json's content to what the targets need; throws on a file that lacks it.
 *
 * @example
 * ```ts
 * const profile = summarizeWranglerDevProfile(JSON.parse(text));
 * profile.floorMs; // 2.76
 * ```
 */
export function summarizeWranglerDevProfile(file: HotPathFile): WranglerDevProfile {
  const floor = file.stages.find((stage) => stage.stage.startsWith('0.'));
  if (!floor) throw new Error('hot-path.json has no stage 0 (a bare Worker under wrangler dev)');
  const cpuAt32 = file.cpuAt32Clients.map((entry) => ({
    row: entry.row.startsWith('Cloudflare template') ? ('template' as const) : ('ours' as const),
    callsPerSecond: entry.callsPerSecond,
    msPerCall: entry.shares.reduce((sum, share) => sum + share.msPerCall, 0),
    sharedMsPerCall: entry.shares
      .filter((share) => SHARED.test(share.name))
      .reduce((sum, share) => sum + share.msPerCall, 0),
  }));
  return {
    measuredAt: file.measuredAt,
    ...(file.loadAverageAtStart === undefined ? {} : { loadAverageAtStart: file.loadAverageAtStart }),
    floorMs: floor.latency.median,
    cpuAt32,
  };
}

/** Reads and summarizes `path` (hot-path.json); the reason in words when it cannot. */
export async function readWranglerDevProfile(
  path: string,
): Promise<({ status: 'measured' } & WranglerDevProfile) | { status: 'not available'; reason: string }> {
  try {
    return {
      status: 'measured',
      ...summarizeWranglerDevProfile(JSON.parse(await readFile(path, 'utf8')) as HotPathFile),
    };
  } catch (error) {
    return { status: 'not available', reason: `no usable ${path}: ${(error as Error).message.split('\n')[0]}` };
  }
}
