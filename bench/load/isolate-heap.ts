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

/** One DevTools reply: a result, or the error the inspector gave. */
interface DevToolsReply {
  id?: number;
  result?: Record<string, unknown>;
  error?: { message: string };
}

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
  const socketUrl = await debuggerUrl(inspectorPort);
  const session = await openSession(socketUrl, timeoutMs);
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

async function debuggerUrl(inspectorPort: number): Promise<string> {
  const listUrl = `http://127.0.0.1:${inspectorPort}/json/list`;
  let targets: Array<{ webSocketDebuggerUrl?: string }>;
  try {
    const response = await fetch(listUrl, { signal: AbortSignal.timeout(5_000) });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    targets = (await response.json()) as typeof targets;
  } catch (error) {
    throw new Error(
      `the inspector at ${listUrl} is unreachable (${(error as Error).message}); was the process started with an inspector on that port (wrangler dev --inspector-port ${inspectorPort}, node --inspect=127.0.0.1:${inspectorPort})?`,
      { cause: error },
    );
  }
  const socketUrl = targets[0]?.webSocketDebuggerUrl;
  if (!socketUrl) throw new Error(`the inspector at ${listUrl} lists no target to debug`);
  return socketUrl;
}

async function openSession(socketUrl: string, timeoutMs: number) {
  // wrangler's inspector refuses a WebSocket that has a User-Agent but no Origin (a browser
  // page's request would carry one); Node's WebSocket (undici) takes extra headers this way.
  const WebSocketWithHeaders = WebSocket as unknown as new (
    url: string,
    options: { headers: Record<string, string> },
  ) => WebSocket;
  const socket = new WebSocketWithHeaders(socketUrl, { headers: { Origin: 'http://localhost' } });
  const pending = new Map<number, { resolve(reply: DevToolsReply): void; reject(error: Error): void }>();
  let closed: Error | undefined;
  const failAll = (error: Error) => {
    closed ??= error;
    for (const waiter of pending.values()) waiter.reject(error);
    pending.clear();
  };
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.close();
      reject(
        new Error(`the inspector at ${socketUrl} did not open a DevTools connection within ${timeoutMs / 1000} s`),
      );
    }, timeoutMs);
    socket.addEventListener(
      'open',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
    socket.addEventListener(
      'close',
      (event) => {
        clearTimeout(timer);
        reject(
          new Error(
            `the inspector at ${socketUrl} refused the DevTools connection (close ${event.code}${event.reason ? `: ${event.reason}` : ''})`,
          ),
        );
      },
      { once: true },
    );
  });
  socket.addEventListener('close', (event) =>
    failAll(
      new Error(
        `the inspector at ${socketUrl} closed the connection (close ${event.code}${event.reason ? `: ${event.reason}` : ''})`,
      ),
    ),
  );
  socket.addEventListener('message', (event) => {
    const reply = JSON.parse(String(event.data)) as DevToolsReply;
    if (reply.id === undefined) return; // an event, such as HeapProfiler.addHeapSnapshotChunk
    pending.get(reply.id)?.resolve(reply);
    pending.delete(reply.id);
  });
  let nextId = 0;
  return {
    async send(method: string, params: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
      if (closed) throw closed;
      const id = (nextId += 1);
      const reply = await new Promise<DevToolsReply>((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new Error(`${method} got no answer from ${socketUrl} within ${timeoutMs / 1000} s`));
        }, timeoutMs);
        const settle =
          <T>(finish: (value: T) => void) =>
          (value: T) => {
            clearTimeout(timer);
            finish(value);
          };
        pending.set(id, { resolve: settle(resolve), reject: settle(reject) });
        socket.send(JSON.stringify({ id, method, params }));
      });
      if (reply.error) throw new Error(`${method} failed at ${socketUrl}: ${reply.error.message}`);
      return reply.result ?? {};
    },
    close: () => socket.close(),
  };
}
