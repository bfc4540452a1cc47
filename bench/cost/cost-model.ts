/**
 * What calls cost on Cloudflare: billable usage per call (counted and profiled by the benchmark's
 * accounting pass, `../measure/worker-accounting.ts`) times Cloudflare's list prices
 * (`cloudflare-prices.ts`), and what one person's container costs for an hour of use at a given
 * call rate. Pure: the benchmark, `npm run infra:plan` and the tests call the same functions.
 */
import {
  CLOUDFLARE_PRICES,
  LOG_RETENTION_DAYS,
  MODEL_INPUTS,
  type InstanceSize,
  type Prices,
} from './cloudflare-prices.ts';

/** Memory Cloudflare bills a Durable Object for, whatever it uses (the Durable Objects pricing page). */
const DURABLE_OBJECT_GB = 0.128;

/** Billable usage of one MCP call, in Cloudflare's units. */
export interface CallUsage {
  workerRequests: number;
  workerCpuMs: number;
  kvReads: number;
  /** Writes, deletes and lists (one price). */
  kvWrites: number;
  durableObjectRequests: number;
  /** Wall seconds a Durable Object is active for the call. */
  durableObjectActiveSeconds: number;
  durableObjectRowsWritten: number;
  /** Bytes ingested by Workers Logs (messages plus each event's attributes). */
  logBytes: number;
}

/** One line of a bill. */
interface CostLine {
  item: string;
  quantity: number;
  unit: string;
  usd: number;
}

/** A bill: its lines and their sum. */
export interface Cost {
  lines: CostLine[];
  usd: number;
}

function bill(lines: CostLine[]): Cost {
  const kept = lines.filter((line) => line.quantity > 0);
  return { lines: kept, usd: kept.reduce((sum, line) => sum + line.usd, 0) };
}

/** What a GB of logs costs: its ingestion and its storage for the default retention. */
function logUsdPerGb(prices: Prices): number {
  return prices.logIngestionGb.usd + prices.logStorageGbMonth.usd * (LOG_RETENTION_DAYS / 30);
}

/**
 * The cost of `calls` calls of the given usage each (marginal list prices: the Workers Paid
 * plan's $5 and its included amounts are left out). Pure.
 *
 * @example
 * ```ts
 * costOfCalls({ ...usage, workerRequests: 1, workerCpuMs: 7 }, 1e6).usd; // 0.30 + 0.14 + ...
 * ```
 */
export function costOfCalls(usage: CallUsage, calls: number, prices: Prices = CLOUDFLARE_PRICES): Cost {
  const gbSeconds = usage.durableObjectActiveSeconds * DURABLE_OBJECT_GB * calls;
  const logGb = (usage.logBytes * calls) / 1e9;
  return bill([
    {
      item: 'Workers requests',
      quantity: usage.workerRequests * calls,
      unit: 'requests',
      usd: usage.workerRequests * calls * prices.workerRequest.usd,
    },
    {
      item: 'Workers CPU time',
      quantity: usage.workerCpuMs * calls,
      unit: 'CPU ms',
      usd: usage.workerCpuMs * calls * prices.workerCpuMs.usd,
    },
    {
      item: 'KV reads',
      quantity: usage.kvReads * calls,
      unit: 'reads',
      usd: usage.kvReads * calls * prices.kvRead.usd,
    },
    {
      item: 'KV writes, deletes, lists',
      quantity: usage.kvWrites * calls,
      unit: 'operations',
      usd: usage.kvWrites * calls * prices.kvWrite.usd,
    },
    {
      item: 'Durable Object requests',
      quantity: usage.durableObjectRequests * calls,
      unit: 'requests',
      usd: usage.durableObjectRequests * calls * prices.durableObjectRequest.usd,
    },
    {
      item: 'Durable Object duration',
      quantity: gbSeconds,
      unit: 'GB-s',
      usd: gbSeconds * prices.durableObjectGbSecond.usd,
    },
    {
      item: 'Durable Object rows written',
      quantity: usage.durableObjectRowsWritten * calls,
      unit: 'rows',
      usd: usage.durableObjectRowsWritten * calls * prices.durableObjectRowWritten.usd,
    },
    { item: 'Workers Logs', quantity: logGb, unit: 'GB', usd: logGb * logUsdPerGb(prices) },
  ]);
}

/**
 * Bytes Workers Logs ingests for a call: each invocation event and each console line, with the
 * attributes Cloudflare adds to every event ({@link MODEL_INPUTS}: not published). Pure.
 *
 * @example
 * ```ts
 * logBytesPerCall({ invocations: 2, consoleLines: 1, consoleBytes: 550 }); // 550 + 3 × 500
 * ```
 */
export function logBytesPerCall(events: { invocations: number; consoleLines: number; consoleBytes: number }): number {
  const eventCount = events.invocations * MODEL_INPUTS.invocationLogEventsPerRequest.value + events.consoleLines;
  return events.consoleBytes + eventCount * MODEL_INPUTS.logEventAttributeBytes.value;
}

/** One person's container as a stack runs it. */
export interface ContainerPlan {
  instance: InstanceSize;
  /** Idle time after which the container sleeps (`sleepAfter`), in seconds. */
  sleepAfterSeconds: number;
  /** Seconds from a request to a container that answers, counted as running time. */
  startSeconds: number;
  /** vCPU-seconds the container's processes (bridge, stdio server) use per call. */
  vcpuSecondsPerCall: number;
  /** vCPU the container uses while idle (a fraction of one vCPU). */
  idleVcpu: number;
}

/**
 * Seconds a container runs in an hour of calls evenly spaced at `callsPerHour`: the whole hour
 * when calls come more often than `sleepAfter`, else, per call, a start and `sleepAfter` of
 * waiting. Pure.
 *
 * @example
 * ```ts
 * containerAwakeSeconds(60, 900, 2); // 3600: a call a minute keeps a 15-minute container awake
 * containerAwakeSeconds(1, 900, 2); // 902
 * ```
 */
export function containerAwakeSeconds(callsPerHour: number, sleepAfterSeconds: number, startSeconds: number): number {
  if (callsPerHour <= 0) return 0;
  if (3600 / callsPerHour <= sleepAfterSeconds) return 3600;
  return Math.min(3600, callsPerHour * (startSeconds + sleepAfterSeconds));
}

/**
 * An hour of one person's use through their own container at `callsPerHour`: the Worker's part of
 * every call, the container's memory and disk while it runs (provisioned by the instance type),
 * its CPU (active use only), and its Durable Object, which stays active while the container runs
 * and wakes on an alarm every few minutes ({@link MODEL_INPUTS}). Pure.
 *
 * @example
 * ```ts
 * containerUserHour(60, perCall, { instance: INSTANCE_SIZES.basic, sleepAfterSeconds: 900, startSeconds: 2, vcpuSecondsPerCall: 0.0004, idleVcpu: 0 }).usd;
 * ```
 */
export function containerUserHour(
  callsPerHour: number,
  perCall: CallUsage,
  plan: ContainerPlan,
  prices: Prices = CLOUDFLARE_PRICES,
): Cost {
  const awake = containerAwakeSeconds(callsPerHour, plan.sleepAfterSeconds, plan.startSeconds);
  const alarms = awake / MODEL_INPUTS.containerAlarmSeconds.value;
  const vcpuSeconds = callsPerHour * plan.vcpuSecondsPerCall + awake * plan.idleVcpu;
  const calls = costOfCalls(perCall, callsPerHour, prices);
  const doGbSeconds = awake * DURABLE_OBJECT_GB;
  return bill([
    ...calls.lines.map((line) => ({ ...line, item: `calls: ${line.item}` })),
    {
      item: 'container memory',
      quantity: awake * plan.instance.memoryGib,
      unit: 'GiB-s',
      usd: awake * plan.instance.memoryGib * prices.containerGibSecond.usd,
    },
    {
      item: 'container disk',
      quantity: awake * plan.instance.diskGb,
      unit: 'GB-s',
      usd: awake * plan.instance.diskGb * prices.containerDiskGbSecond.usd,
    },
    { item: 'container CPU', quantity: vcpuSeconds, unit: 'vCPU-s', usd: vcpuSeconds * prices.containerVcpuSecond.usd },
    {
      item: "container's Durable Object duration",
      quantity: doGbSeconds,
      unit: 'GB-s',
      usd: doGbSeconds * prices.durableObjectGbSecond.usd,
    },
    {
      item: "container's Durable Object alarms",
      quantity: alarms,
      unit: 'requests',
      usd: alarms * (prices.durableObjectRequest.usd + 2 * prices.durableObjectRowWritten.usd),
    },
  ]);
}

/**
 * A `sleepAfter` text (`30s`, `15m`, `2h`) in seconds; throws on anything else. Pure.
 *
 * @example
 * ```ts
 * durationSeconds('15m'); // 900
 * ```
 */
export function durationSeconds(text: string): number {
  const match = /^(\d+)(s|m|h)$/.exec(text.trim());
  if (!match) throw new Error(`not a duration like 30s, 15m or 2h: ${JSON.stringify(text)}`);
  return Number(match[1]) * { s: 1, m: 60, h: 3600 }[match[2] as 's' | 'm' | 'h'];
}
