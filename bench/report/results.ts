import type { EchoRow } from '../measure/echo-row.ts';
import type { BundleSize } from '../measure/bundle-size.ts';
import type { BridgeMemory } from '../measure/bridge-memory.ts';
import type { ContainerColdStart, ContainerMemory } from '../measure/container-user.ts';
import type { PolicyListResult } from '../measure/policy-list.ts';
import type { MachineDescription } from './machine.ts';

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
