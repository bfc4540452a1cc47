/**
 * What a stack would cost on Cloudflare, for `npm run infra:plan`: the usage of one call as the
 * last `npm run bench` measured it (`bench/results/latest.json`, production-like rows), priced
 * by the benchmark's cost model (`bench/cost/`) for this stack's settings: its container's
 * instance type, `sleepAfter`, scope and maximum number of instances, or no container at all when
 * the stack forwards to an `upstreamUrl`.
 */
import { readFile } from 'node:fs/promises';
import { PRICES_READ_ON, INSTANCE_SIZES } from '../../bench/cost/cloudflare-prices.ts';
import { containerUserHour, costOfCalls, durationSeconds, type CallUsage } from '../../bench/cost/cost-model.ts';
import type { BenchResults } from '../../bench/report/results.ts';
import type { StackConfig } from '../config.ts';

/** The benchmark's figures the estimate needs. */
export interface MeasuredUsage {
  /** When `npm run bench` ran. */
  measuredOn: string;
  /** One proxied call through the container, in Cloudflare's units. */
  proxiedCall: CallUsage;
  /** Durable Object requests of that call that are the container's (none when the stack forwards to a URL). */
  containerRequestsPerCall: number;
  /** CPU of the container's processes per call and while idle. */
  containerVcpuSecondsPerCall: number;
  containerIdleVcpu: number;
}

/** The default `sleepAfter` of the container class (`worker/src/container/container-settings.ts`). */
const DEFAULT_SLEEP_AFTER = '15m';
/** Seconds from a request to a running container, counted as running time for a sleeping one. */
const START_SECONDS = 2;
const RATES = [1, 10, 60, 600] as const;
const NO_USAGE: CallUsage = {
  workerRequests: 0,
  workerCpuMs: 0,
  kvReads: 0,
  kvWrites: 0,
  durableObjectRequests: 0,
  durableObjectActiveSeconds: 0,
  durableObjectRowsWritten: 0,
  logBytes: 0,
};

const usd = (value: number) => (value >= 1 ? `$${value.toFixed(2)}` : `$${value.toPrecision(2)}`);

/**
 * Reads the figures the estimate needs from `npm run bench`'s results, or says why it cannot.
 *
 * @example
 * ```ts
 * const measured = await readMeasuredUsage(new URL('../../bench/results/latest.json', import.meta.url));
 * ```
 */
export async function readMeasuredUsage(resultsFile: URL): Promise<MeasuredUsage | { missing: string }> {
  const text = await readFile(resultsFile, 'utf8').catch(() => undefined);
  if (text === undefined) return { missing: 'there is no bench/results/latest.json: run npm run bench' };
  const results = JSON.parse(text) as Partial<BenchResults>;
  const cost = results.cost?.status === 'measured' ? results.cost : undefined;
  const accounting = results.accounting?.status === 'measured' ? results.accounting : undefined;
  const proxied = cost?.paths.find((path) => path.id === 'local-stack-workerd');
  const accounted = accounting?.paths.find((path) => path.id === 'local-stack-workerd');
  if (!proxied || !accounting?.container || !accounted)
    return { missing: 'bench/results/latest.json has no cost table: run npm run bench (issue 17 and later)' };
  return {
    measuredOn: results.startedAt?.slice(0, 10) ?? 'unknown',
    proxiedCall: proxied.usage,
    containerRequestsPerCall: accounted.modelledDurableObjectRequests?.perCall ?? 0,
    containerVcpuSecondsPerCall: accounting.container.vcpuSecondsPerCall,
    containerIdleVcpu: accounting.container.idleVcpu,
  };
}

/**
 * The estimate for a stack as lines of text. Pure.
 *
 * @example
 * ```ts
 * console.log(costEstimate(parseStackConfig(config), measured).join('\n'));
 * ```
 */
export function costEstimate(
  config: Pick<StackConfig, 'container' | 'upstreamUrl'>,
  measured: MeasuredUsage,
): string[] {
  const container = config.container;
  const perCall: CallUsage = container
    ? measured.proxiedCall
    : {
        ...measured.proxiedCall,
        durableObjectRequests: measured.proxiedCall.durableObjectRequests - measured.containerRequestsPerCall,
      };
  const million = costOfCalls(perCall, 1e6);
  const lines = [
    `Cost estimate at Cloudflare's list prices read on ${PRICES_READ_ON}, usage per call from npm run bench of ${measured.measuredOn} (bench/results/latest.md; marginal: the Workers Paid plan's $5 a month, its included usage, egress and image storage are left out):`,
    `  a million MCP calls: ${usd(million.usd)} (${million.lines.map((line) => `${line.item} ${usd(line.usd)}`).join(', ')})${container ? ', containers excluded' : ''}`,
  ];
  if (!container) {
    lines.push(
      `  no container: MCP traffic goes to upstreamUrl (${config.upstreamUrl}), which you run and pay for elsewhere`,
    );
    return lines;
  }
  const sleepAfter = container.workerSettings.MCP_CONTAINER_SLEEP_AFTER ?? DEFAULT_SLEEP_AFTER;
  const instance = INSTANCE_SIZES[container.instanceType];
  const plan = {
    instance,
    sleepAfterSeconds: durationSeconds(sleepAfter),
    startSeconds: START_SECONDS,
    vcpuSecondsPerCall: measured.containerVcpuSecondsPerCall,
    idleVcpu: measured.containerIdleVcpu,
  };
  const whom = container.workerSettings.MCP_CONTAINER_SCOPE === 'tenant' ? 'tenant (email domain)' : 'person';
  lines.push(
    `  an hour of one ${whom}'s use, own container (${container.instanceType}: ${instance.vcpu} vCPU, ${instance.memoryGib} GiB, ${instance.diskGb} GB; sleepAfter ${sleepAfter}): ` +
      RATES.map(
        (rate) => `${usd(containerUserHour(rate, perCall, plan).usd)} at ${rate} call${rate === 1 ? '' : 's'}/h`,
      ).join(', '),
  );
  // One container awake for the hour with no call: memory, disk, idle CPU and its Durable Object.
  const awakeHour = containerUserHour(1, NO_USAGE, { ...plan, sleepAfterSeconds: 3600, vcpuSecondsPerCall: 0 }).usd;
  lines.push(
    `  at most ${container.maxInstances} containers at once (containerMaxInstances): ${usd(container.maxInstances * awakeHour)} an hour, ${usd(container.maxInstances * awakeHour * 24 * 30)} for 30 days, if all stay awake`,
  );
  return lines;
}
