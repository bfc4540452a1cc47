/**
 * The used heap of a V8 isolate after a full garbage collection, read through a DevTools
 * inspector: the Worker's through wrangler's (`wrangler dev --inspector-port <port>`), or a Node
 * process's through Node's own (`node --inspect=127.0.0.1:<port>`), such as the bridge host's.
 *
 * `HeapProfiler.collectGarbage` drops the connection under workerd, so there the full collection
 * is the one V8 runs before `HeapProfiler.takeHeapSnapshot`; the snapshot's chunks are discarded.
 * Node takes `HeapProfiler.collectGarbage`, which costs the inspected process no snapshot (a
 * snapshot of the bridge host left about 78 MiB more resident memory behind).
 * `Runtime.getHeapUsage` then gives the live heap. The inspector serves one DevTools client at
 * a time: close any DevTools window on that port first.
 *
 * Stay connected for as long as the Worker runs under measurement: while no DevTools client is
 * connected, wrangler's inspector proxy keeps every message of the runtime (each `console.log`
 * of the Worker) in memory, and hands them all to the next client that connects.
 */
import { openDevToolsSession } from '../measure/devtools-session.ts';

/** A DevTools connection to an isolate; events (console messages, snapshot chunks) are discarded. */
export interface IsolateInspector {
  /** The isolate's used heap in bytes, after a full garbage collection. */
  usedHeapAfterFullGc(): Promise<number>;
  /** The memory V8 holds for the isolate's heap right now, in bytes (`totalSize`: used or not), without a collection. */
  committedHeapBytes(): Promise<number>;
  close(): void;
}

/**
 * Connects to the isolate behind the inspector at `inspectorPort` (127.0.0.1); `runtime` says
 * whose inspector it is ('workerd' unless told), which decides how a full collection is forced.
 * Throws an error that names the port when the inspector is unreachable or refuses the
 * connection; a request that gets no answer within `timeoutMs` fails the same way.
 *
 * @example
 * ```ts
 * const inspector = await connectIsolateInspector(stack.inspectorPort);
 * const usedBytes = await inspector.usedHeapAfterFullGc();
 * inspector.close();
 * const bridgeHost = await connectIsolateInspector(stack.hostInspectorPort, { runtime: 'node' });
 * ```
 */
export async function connectIsolateInspector(
  inspectorPort: number,
  { runtime = 'workerd', timeoutMs = 60_000 }: { runtime?: 'workerd' | 'node'; timeoutMs?: number } = {},
): Promise<IsolateInspector> {
  const session = await openDevToolsSession(inspectorPort, { timeoutMs });
  const socketUrl = session.socketUrl;
  const heapUsage = async (field: 'usedSize' | 'totalSize') => {
    const usage = await session.send('Runtime.getHeapUsage');
    const bytes = usage[field];
    if (typeof bytes !== 'number')
      throw new Error(`Runtime.getHeapUsage at ${socketUrl} gave no ${field}: ${JSON.stringify(usage)}`);
    return bytes;
  };
  return {
    async usedHeapAfterFullGc() {
      if (runtime === 'node') await session.send('HeapProfiler.collectGarbage');
      else await session.send('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
      return heapUsage('usedSize');
    },
    committedHeapBytes: () => heapUsage('totalSize'),
    close: () => session.close(),
  };
}
