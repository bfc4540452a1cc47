/**
 * Counts what one call makes a Worker do that Cloudflare bills: a wrapper module around a Worker
 * bundle (`writeCountingWrapper`) that passes every request to the bundle's own handler with the
 * same bindings, counting on the way each Workers KV operation, each request to a Durable Object
 * (a stub's `fetch` and every RPC method call, which Cloudflare bills as one request each), each
 * subrequest and each log line, and answers the counts at {@link OPERATION_COUNTS_PATH}. The cost
 * model multiplies these by Cloudflare's prices.
 *
 * The wrapper runs only in the benchmark's accounting pass (with the CPU profile), never in the
 * rows that time calls; what it adds per call (a few property lookups and counters) is far below
 * the profile's resolution.
 */
import { writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** The path at which the wrapper answers its counts (GET). No Worker of ours serves it. */
const OPERATION_COUNTS_PATH = '/__bench/operation-counts';

/** What the wrapper counted since the isolate started. */
export interface OperationCounts {
  /** Requests the Worker served (the counts' own requests left out). */
  requests: number;
  kv: { get: number; getWithMetadata: number; put: number; delete: number; list: number };
  /** Requests to Durable Objects: `fetch` on a stub, and RPC method calls (each billed as a request). */
  durableObjects: { fetch: number; rpc: number };
  /** `fetch()` calls to the network (not billed by Cloudflare; counted to explain the time). */
  subrequests: number;
  /** `console.*` calls: Workers Logs events, and their text's size in bytes. */
  logEvents: number;
  logBytes: number;
}

/** Counts per call: the difference between two readings, divided by the calls between them. Pure. */
export function countsPerCall(before: OperationCounts, after: OperationCounts, calls: number): OperationCounts {
  const per = (a: number, b: number) => (b - a) / calls;
  return {
    requests: per(before.requests, after.requests),
    kv: {
      get: per(before.kv.get, after.kv.get),
      getWithMetadata: per(before.kv.getWithMetadata, after.kv.getWithMetadata),
      put: per(before.kv.put, after.kv.put),
      delete: per(before.kv.delete, after.kv.delete),
      list: per(before.kv.list, after.kv.list),
    },
    durableObjects: {
      fetch: per(before.durableObjects.fetch, after.durableObjects.fetch),
      rpc: per(before.durableObjects.rpc, after.durableObjects.rpc),
    },
    subrequests: per(before.subrequests, after.subrequests),
    logEvents: per(before.logEvents, after.logEvents),
    logBytes: per(before.logBytes, after.logBytes),
  };
}

/**
 * Reads the counts of the Worker at `workerUrl` (which must run the wrapper).
 *
 * @example
 * ```ts
 * const before = await readOperationCounts(stack.workerUrl);
 * ```
 */
export async function readOperationCounts(workerUrl: string): Promise<OperationCounts> {
  const response = await fetch(new URL(OPERATION_COUNTS_PATH, workerUrl));
  if (!response.ok)
    throw new Error(`${OPERATION_COUNTS_PATH} answered HTTP ${response.status}: is the counting wrapper in place?`);
  return (await response.json()) as OperationCounts;
}

/**
 * Writes the counting wrapper next to the bundle `main` and returns its path; run it in place of
 * `main`. It re-exports everything `main` exports (its Durable Object classes among them) and
 * wraps only the default export's `fetch`.
 *
 * @example
 * ```ts
 * const wrapped = await writeCountingWrapper('/tmp/stack/worker-bundle/index.js');
 * ```
 */
export async function writeCountingWrapper(main: string): Promise<string> {
  const path = join(dirname(main), 'operation-counting.js');
  await writeFile(path, countingWrapperSource(`./${basename(main)}`));
  return path;
}

/** The wrapper's source, importing the bundle at `bundleSpecifier`. Pure. */
function countingWrapperSource(bundleSpecifier: string): string {
  const specifier = JSON.stringify(bundleSpecifier);
  return `// Written by bench/measure/operation-counts.ts for the benchmark's accounting pass. Not deployed.
import bundle from ${specifier};
export * from ${specifier};

const counts = {
  requests: 0,
  kv: { get: 0, getWithMetadata: 0, put: 0, delete: 0, list: 0 },
  durableObjects: { fetch: 0, rpc: 0 },
  subrequests: 0,
  logEvents: 0,
  logBytes: 0,
};
const encoder = new TextEncoder();

for (const level of ['log', 'info', 'warn', 'error', 'debug']) {
  const original = console[level].bind(console);
  console[level] = (...args) => {
    counts.logEvents += 1;
    counts.logBytes += encoder.encode(args.map((arg) => (typeof arg === 'string' ? arg : JSON.stringify(arg) ?? String(arg))).join(' ')).length;
    return original(...args);
  };
}
const originalFetch = globalThis.fetch;
globalThis.fetch = (...args) => {
  counts.subrequests += 1;
  return originalFetch(...args);
};

function countingKv(kv) {
  return new Proxy(kv, {
    get(target, property) {
      const value = Reflect.get(target, property);
      if (typeof value !== 'function') return value;
      if (Object.hasOwn(counts.kv, property))
        return (...args) => {
          counts.kv[property] += 1;
          return Reflect.apply(value, target, args);
        };
      return (...args) => Reflect.apply(value, target, args);
    },
  });
}

function countingStub(stub) {
  return new Proxy(stub, {
    get(target, property) {
      const value = Reflect.get(target, property);
      if (typeof property === 'symbol' || property === 'then' || typeof value !== 'function') return value;
      // Reflect.apply: on an RPC stub's method, \`.apply\` itself would be taken for a remote method.
      return (...args) => {
        if (property === 'fetch') counts.durableObjects.fetch += 1;
        else counts.durableObjects.rpc += 1;
        return Reflect.apply(value, target, args);
      };
    },
  });
}

function countingNamespace(namespace) {
  return new Proxy(namespace, {
    get(target, property) {
      const value = Reflect.get(target, property);
      if (typeof value !== 'function') return value;
      if (property === 'get' || property === 'getByName')
        return (...args) => countingStub(Reflect.apply(value, target, args));
      return (...args) => Reflect.apply(value, target, args);
    },
  });
}

const wrappedEnvs = new WeakMap();
function countingEnv(env) {
  let wrapped = wrappedEnvs.get(env);
  if (!wrapped) {
    wrapped = {};
    for (const [name, value] of Object.entries(env)) {
      const isKv = value && typeof value === 'object' && typeof value.getWithMetadata === 'function';
      const isNamespace = value && typeof value === 'object' && typeof value.idFromName === 'function';
      wrapped[name] = isKv ? countingKv(value) : isNamespace ? countingNamespace(value) : value;
    }
    wrappedEnvs.set(env, wrapped);
  }
  return wrapped;
}

export default {
  ...bundle,
  async fetch(request, env, ctx) {
    if (new URL(request.url).pathname === ${JSON.stringify(OPERATION_COUNTS_PATH)}) return Response.json(counts);
    counts.requests += 1;
    return bundle.fetch(request, countingEnv(env), ctx);
  },
};
`;
}
