/**
 * The used heap of the Worker's isolate after a full garbage collection, read through wrangler's
 * DevTools inspector (`wrangler dev --inspector-port <port>`).
 *
 * `HeapProfiler.collectGarbage` drops the connection under workerd, so the full collection is
 * the one V8 runs before `HeapProfiler.takeHeapSnapshot`; the snapshot's chunks are discarded.
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

/** A DevTools connection to the Worker's isolate; events (console messages, snapshot chunks) are discarded. */
export interface IsolateInspector {
  /** The isolate's used heap in bytes, after a full garbage collection. */
  usedHeapAfterFullGc(): Promise<number>;
  close(): void;
}

/**
 * Connects to the Worker's isolate through the inspector at `inspectorPort`. Throws an error
 * that names the port when the inspector is unreachable or refuses the connection; a request
 * that gets no answer within `timeoutMs` fails the same way.
 *
 * @example
 * ```ts
 * const inspector = await connectIsolateInspector(stack.inspectorPort);
 * const usedBytes = await inspector.usedHeapAfterFullGc();
 * inspector.close();
 * ```
 */
export async function connectIsolateInspector(inspectorPort: number, timeoutMs = 60_000): Promise<IsolateInspector> {
  const socketUrl = await debuggerUrl(inspectorPort);
  const session = await openSession(socketUrl, timeoutMs);
  return {
    async usedHeapAfterFullGc() {
      await session.send('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
      const usage = await session.send('Runtime.getHeapUsage');
      if (typeof usage.usedSize !== 'number') throw new Error(`Runtime.getHeapUsage at ${socketUrl} gave no usedSize: ${JSON.stringify(usage)}`);
      return usage.usedSize;
    },
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
    throw new Error(`the inspector at ${listUrl} is unreachable (${(error as Error).message}); was wrangler dev started with --inspector-port ${inspectorPort}?`);
  }
  const socketUrl = targets[0]?.webSocketDebuggerUrl;
  if (!socketUrl) throw new Error(`the inspector at ${listUrl} lists no target to debug`);
  return socketUrl;
}

async function openSession(socketUrl: string, timeoutMs: number) {
  // wrangler's inspector refuses a WebSocket that has a User-Agent but no Origin (a browser
  // page's request would carry one); Node's WebSocket (undici) takes extra headers this way.
  const WebSocketWithHeaders = WebSocket as unknown as new (url: string, options: { headers: Record<string, string> }) => WebSocket;
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
      reject(new Error(`the inspector at ${socketUrl} did not open a DevTools connection within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    socket.addEventListener('open', () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
    socket.addEventListener('close', (event) => {
      clearTimeout(timer);
      reject(new Error(`the inspector at ${socketUrl} refused the DevTools connection (close ${event.code}${event.reason ? `: ${event.reason}` : ''})`));
    }, { once: true });
  });
  socket.addEventListener('close', (event) => failAll(new Error(`the inspector at ${socketUrl} closed the connection (close ${event.code}${event.reason ? `: ${event.reason}` : ''})`)));
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
        const settle = <T>(finish: (value: T) => void) => (value: T) => {
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
