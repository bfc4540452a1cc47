/**
 * What the benchmarks' host processes (bridge-host.ts, stack-host.ts) and the benchmark agree on: the
 * bridge's bounds for a benchmark, the JSON lines a host prints on stdout (ready, with the addresses it
 * listens on, or a log line of its own), and a host ending with its parent.
 */
import type { BridgeLimits } from '../../container/src/bridge-limits.ts';

/**
 * The bridge's bounds for benchmarks: its defaults suit one user's container (16 stdio
 * children), while a benchmark holds 64 sessions at once on one bridge, as supergateway
 * (which has no bound) does in its row.
 */
export const BENCH_BRIDGE_LIMITS: Partial<BridgeLimits> = {
  maxChildren: 80,
  maxConcurrentRequests: 256,
  // The load clients are one user: let them hold every session and request the bridge takes.
  maxSessionsPerUser: 80,
  maxConcurrentRequestsPerUser: 256,
};

/** What a host process reports once what it runs answers. */
export interface HostReady {
  /** The bridge's base URL (`${bridgeUrl}/mcp` serves MCP). */
  bridgeUrl: string;
  /** The local stack's URLs; absent for a bridge alone. */
  mcpUrl?: string;
  workerUrl?: string;
  /** The `wrangler dev` process; workerd runs among its descendants. */
  wranglerPid?: number;
  /** wrangler's DevTools inspector port, through which the Worker's isolate can be inspected. */
  inspectorPort?: number;
  /** The host process's own Node inspector port (the bridge's and the Access stand-in's heap), when it was started with one. */
  hostInspectorPort?: number;
  /** The module workerd runs, when the Worker runs without wrangler dev (its bundle and source map are beside it). */
  workerMain?: string;
  /** Where the trace-sizing tail Worker answers, with `--count-operations`. */
  traceSizesUrl?: string;
}

/** One line of a host process's stdout. */
export type HostMessage = { ready: HostReady } | { log: { source: string; line: string } };

/**
 * Reads one stdout line of a host process; `undefined` for a line that is not a message
 * (anything a library prints). Pure.
 *
 * @example
 * ```ts
 * parseHostLine('{"log":{"source":"worker","line":"hello"}}'); // { log: { source: 'worker', line: 'hello' } }
 * ```
 */
export function parseHostLine(text: string): HostMessage | undefined {
  if (!text.startsWith('{')) return undefined;
  try {
    const message = JSON.parse(text) as Partial<{ ready: HostReady; log: { source: string; line: string } }>;
    if (message.ready && typeof message.ready.bridgeUrl === 'string') return { ready: message.ready };
    if (message.log && typeof message.log.line === 'string') return { log: message.log };
  } catch {
    // not one of ours
  }
  return undefined;
}

/**
 * Whether a stderr line of a host process is one of the notices Node's inspector prints
 * ("Debugger listening on ...", "Debugger attached.", ...): expected when the host runs with
 * `--inspect`, so not worth keeping as a clue to why a host failed. Pure.
 *
 * @example
 * ```ts
 * isInspectorNotice('Debugger listening on ws://127.0.0.1:9229/0f2c...'); // true
 * isInspectorNotice('Error: listen EADDRINUSE'); // false
 * ```
 */
export function isInspectorNotice(line: string): boolean {
  return /^(Debugger listening on ws:|For help, see: https:\/\/nodejs\.org\/|Debugger attached\.$|Debugger ending on ws:|Waiting for the debugger to disconnect\.\.\.$)/.test(
    line,
  );
}

/** Writes one message to stdout, for the parent to read. */
export function sendHostMessage(message: HostMessage): void {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

/** Calls `stop` once, on SIGTERM, SIGINT, or when stdin closes (the parent is gone), then exits. */
export function stopWithParent(stop: () => Promise<void>): void {
  let stopping = false;
  const once = () => {
    if (stopping) return;
    stopping = true;
    void stop().finally(() => process.exit(0));
  };
  process.on('SIGTERM', once);
  process.on('SIGINT', once);
  process.stdin.on('end', once);
  process.stdin.resume();
}
