/**
 * The shape of `bench/results/latest.json`: everything one `npm run bench` measured, each part either
 * measured or saying why not, so that a reader, `bench:figures` and the targets never mistake a
 * missing figure for a good one. Also the reference figures, kept apart from this run's.
 */
import type { EchoRow } from '../measure/echo-row.ts';
import type { BundleSize } from '../measure/bundle-size.ts';
import type { BridgeMemory } from '../measure/bridge-memory.ts';
import type { ContainerColdStart, ContainerMemory } from '../measure/container-user.ts';
import type { PolicyListResult } from '../measure/policy-list.ts';
import type { MachineDescription } from './machine.ts';
import type { LatencySummary } from '../stats/latency-summary.ts';
import type { AccountedPath, ContainerProcessUse, CostReport } from '../cost/cost-report.ts';
import type { WranglerDevProfile } from './wrangler-dev-profile.ts';

/** Something measured, or why it was not. */
export type Pending<T> =
  | ({ status: 'measured' } & T)
  | { status: 'pending' | 'not available' | 'failed'; reason: string };

/** Everything one `npm run bench` measured: the content of `bench/results/latest.json`. */
export interface BenchResults {
  startedAt: string;
  durationSeconds: number;
  machine: MachineDescription;
  method: {
    warmUpCalls: number;
    timedCalls: number;
    percentiles: string;
    throughputSecondsPerLevel: number;
    concurrencyLevels: number[];
    client: string;
  };
  rows: EchoRow[];
  bundles: Pending<{ sizes: BundleSize[] }>;
  coldStart: Pending<{ seconds: number; what: string }>;
  policyList: PolicyListResult;
  bridgeMemory: Pending<BridgeMemory & { sessions: number }>;
  /** The production-like paths' latency measured side by side, in turns (`measure/paired-latency.ts`); the targets read it. */
  paired: Pending<{ what: string; latency: Record<string, LatencySummary> }>;
  /**
   * The accounting passes of the production-like Worker rows (CPU of each isolate per call, from
   * CPU profiles, and the operations counted per call), and what the container's processes use.
   */
  accounting: Pending<{ paths: AccountedPath[]; container?: ContainerProcessUse }>;
  /** What the calls cost on Cloudflare (`bench/cost/`). */
  cost: Pending<CostReport>;
  /**
   * The stack with real containers: ready time, the cold start of a new user's container and of a
   * returning user's (stopped from outside), memory per user.
   */
  containers: Pending<{
    readySeconds: number;
    coldStart: ContainerColdStart;
    restart: ContainerColdStart;
    memory: ContainerMemory;
  }>;
  /**
   * What the last `npm run bench:profile` said about the rows under `wrangler dev` (another run,
   * dated), for the notes of the targets those rows miss. Absent in results written before it.
   */
  wranglerDevProfile?: Pending<WranglerDevProfile>;
  notes: string[];
}

/**
 * The reference figures the issue quotes (measured earlier on this machine, not by this run).
 * Where the issue gives a range, the targets use its end least favourable to us: the template's
 * fastest median (13.9 ms of 13.9–14.5) and its highest throughput (165 of 162–165 calls/s).
 */
export const REFERENCE_FIGURES = {
  cloudflareTemplate: { median: 13.9, p99: 29, callsPerSecondAt32: 165, bundleGzipKiB: 443 },
  supergateway: { median: 3.3, callsPerSecondAt32: 775 },
} as const;
