/**
 * The cost table of `npm run bench`: from the accounting passes of the production-like rows (CPU
 * profiled, operations counted) to the usage of one call in Cloudflare's units, the cost of a
 * million calls per path, and an hour of one person's use through their own container at a few
 * call rates, beside the template's. Where the local run differs from Cloudflare (the bridge runs
 * as a process instead of a container), the difference is added from the code and said in the
 * path's notes. Pure.
 */
import type { WorkerAccounting } from '../measure/worker-accounting.ts';
import {
  CLOUDFLARE_PRICES,
  INSTANCE_SIZES,
  MODEL_INPUTS,
  PRICES_READ_ON,
  type InstanceTypeName,
} from './cloudflare-prices.ts';
import {
  containerAwakeSeconds,
  containerUserHour,
  costOfCalls,
  logBytesPerCall,
  type CallUsage,
  type ContainerPlan,
  type Cost,
} from './cost-model.ts';

/** A path's accounting pass, as `npm run bench` records it. */
export interface AccountedPath {
  id: string;
  label: string;
  accounting: WorkerAccounting;
  /**
   * Durable Object requests the path makes on Cloudflare but not in the measured run: the forward
   * through the user's container goes through its Durable Object (`worker/src/mcp/container-upstream.ts`),
   * while the measured stack forwards to the bridge as a process.
   */
  modelledDurableObjectRequests?: { perCall: number; why: string };
  /** Bill the Durable Objects' isolate time per call as duration (the template's `McpAgent`, one object per session). */
  durableObjectActivePerCall?: boolean;
}

/** What the container's processes use, measured beside the proxied path's accounting pass. */
export interface ContainerProcessUse {
  vcpuSecondsPerCall: number;
  idleVcpu: number;
  what: string;
}

/** The cost of a million calls by one path. */
interface PathCost {
  id: string;
  label: string;
  usage: CallUsage;
  perMillionCalls: Cost;
  notes: string[];
}

/** An hour of one person's use at one call rate. */
interface UserHour {
  callsPerHour: number;
  containerAwakeSeconds: number;
  ownContainer: Cost;
  template: Cost;
}

export interface CostReport {
  pricesReadOn: string;
  prices: Record<string, { usdPerUnit: number; per: string; page: string; source: string }>;
  inputs: Record<string, { value: number; why: string }>;
  paths: PathCost[];
  userHours?: {
    proxiedPath: string;
    templatePath: string;
    plan: {
      instanceType: InstanceTypeName;
      sleepAfterSeconds: number;
      startSeconds: number;
      vcpuSecondsPerCall: number;
      idleVcpu: number;
    };
    rows: UserHour[];
  };
}

/** The call rates of the per-person table: once an hour, every six minutes, every minute, every six seconds. */
export const USER_HOUR_RATES = [1, 10, 60, 600] as const;

/**
 * The stack settings the per-person table assumes: the defaults of a new stack (`infra/config.ts`:
 * `basic`; the container class: `sleepAfter` 15 minutes).
 */
const DEFAULT_CONTAINER_SETTINGS = {
  instanceType: 'basic' as InstanceTypeName,
  sleepAfterSeconds: 900,
  startSeconds: 2,
};

/**
 * One call's usage in Cloudflare's units, from a path's accounting pass. Pure.
 *
 * @example
 * ```ts
 * const usage = callUsage(path); // { workerRequests: 1, workerCpuMs: 0.9, kvReads: 0.001, ... }
 * ```
 */
export function callUsage(path: AccountedPath): CallUsage {
  const { operations, worker, objects } = path.accounting;
  const durableObjectRequests =
    operations.durableObjects.fetch +
    operations.durableObjects.rpc +
    (path.modelledDurableObjectRequests?.perCall ?? 0);
  return {
    workerRequests: operations.requests,
    workerCpuMs: worker.msPerCall,
    kvReads: operations.kv.get + operations.kv.getWithMetadata,
    kvWrites: operations.kv.put + operations.kv.delete + operations.kv.list,
    durableObjectRequests,
    durableObjectActiveSeconds: path.durableObjectActivePerCall ? objects.msPerCall / 1000 : 0,
    durableObjectRowsWritten: 0,
    logBytes: logBytes(path),
  };
}

/**
 * Bytes Workers Logs ingests per call: the trace events measured locally (one per invocation, its
 * console lines inside) plus Cloudflare's enrichment of each, and for each modelled Durable Object
 * request an event of the measured events' mean size without their console lines (the container's
 * object writes none); without measured traces, the console lines and an invocation event per
 * request ({@link logBytesPerCall}).
 */
function logBytes(path: AccountedPath): number {
  const { operations, traces } = path.accounting;
  const modelled = path.modelledDurableObjectRequests?.perCall ?? 0;
  if (!traces)
    return logBytesPerCall({
      invocations: operations.requests + operations.durableObjects.fetch + operations.durableObjects.rpc + modelled,
      consoleLines: operations.logEvents,
      consoleBytes: operations.logBytes,
    });
  const meanEvent = traces.eventsPerCall > 0 ? (traces.bytesPerCall - operations.logBytes) / traces.eventsPerCall : 0;
  const events = traces.eventsPerCall + modelled;
  return traces.bytesPerCall + modelled * meanEvent + events * MODEL_INPUTS.logEventAttributeBytes.value;
}

/**
 * The whole cost table. `userHours` compares `proxiedPath` through one person's container
 * (`container` measured, settings {@link DEFAULT_CONTAINER_SETTINGS}) with `templatePath`. Pure.
 *
 * @example
 * ```ts
 * const report = costReport(paths, { proxiedPath: 'local-stack-workerd', templatePath: 'template-workerd', container });
 * ```
 */
export function costReport(
  paths: readonly AccountedPath[],
  comparison?: { proxiedPath: string; templatePath: string; container: ContainerProcessUse },
): CostReport {
  const costs = paths.map((path) => {
    const usage = callUsage(path);
    const notes = [
      ...(path.modelledDurableObjectRequests
        ? [
            `${path.modelledDurableObjectRequests.perCall} Durable Object request per call added: ${path.modelledDurableObjectRequests.why}`,
          ]
        : []),
      ...(path.durableObjectActivePerCall
        ? [
            "Durable Object duration billed for its isolate's busy time per call (the floor of the wall time it is active; an object holding a stream open would be billed longer)",
          ]
        : []),
    ];
    return { id: path.id, label: path.label, usage, perMillionCalls: costOfCalls(usage, 1e6), notes };
  });
  const report: CostReport = {
    pricesReadOn: PRICES_READ_ON,
    prices: Object.fromEntries(
      Object.entries(CLOUDFLARE_PRICES).map(([name, price]) => [
        name,
        { usdPerUnit: price.usd, per: price.per, page: price.page, source: price.source },
      ]),
    ),
    inputs: Object.fromEntries(Object.entries(MODEL_INPUTS).map(([name, input]) => [name, { ...input }])),
    paths: costs,
  };
  const proxied = costs.find((cost) => cost.id === comparison?.proxiedPath);
  const template = costs.find((cost) => cost.id === comparison?.templatePath);
  if (comparison && proxied && template) {
    const settings = DEFAULT_CONTAINER_SETTINGS;
    const plan: ContainerPlan = {
      instance: INSTANCE_SIZES[settings.instanceType],
      sleepAfterSeconds: settings.sleepAfterSeconds,
      startSeconds: settings.startSeconds,
      vcpuSecondsPerCall: comparison.container.vcpuSecondsPerCall,
      idleVcpu: comparison.container.idleVcpu,
    };
    report.userHours = {
      proxiedPath: proxied.id,
      templatePath: template.id,
      plan: {
        instanceType: settings.instanceType,
        sleepAfterSeconds: settings.sleepAfterSeconds,
        startSeconds: settings.startSeconds,
        vcpuSecondsPerCall: plan.vcpuSecondsPerCall,
        idleVcpu: plan.idleVcpu,
      },
      rows: USER_HOUR_RATES.map((callsPerHour) => ({
        callsPerHour,
        containerAwakeSeconds: containerAwakeSeconds(callsPerHour, plan.sleepAfterSeconds, plan.startSeconds),
        ownContainer: containerUserHour(callsPerHour, proxied.usage, plan),
        template: costOfCalls(template.usage, callsPerHour),
      })),
    };
  }
  return report;
}
