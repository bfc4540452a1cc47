/**
 * A DevTools protocol client for one isolate behind an inspector (workerd's, wrangler's proxy of
 * it, or Node's): the heap readings of the load test and the CPU profiles of the benchmark both
 * speak through it. The inspector serves one DevTools client at a time: close any DevTools
 * window on that port first.
 */

/** One DevTools reply: a result, or the error the inspector gave. */
interface DevToolsReply {
  id?: number;
  result?: Record<string, unknown>;
  error?: { message: string };
}

/** An open DevTools connection; events (console messages, snapshot chunks) are discarded. */
export interface DevToolsSession {
  /** The target's WebSocket URL. */
  socketUrl: string;
  /** Sends one command and resolves with its result; rejects with the inspector's error, or after the timeout. */
  send(method: string, params?: Record<string, unknown>): Promise<Record<string, unknown>>;
  close(): void;
}

/**
 * Connects to a target of the inspector at `inspectorPort` (127.0.0.1): the first one it lists,
 * or the one whose WebSocket URL ends with `target` (workerd names a Worker's isolate
 * `core:user:<worker name>` under Miniflare). Throws an error that names the port when the
 * inspector is unreachable, lists no such target, or refuses the connection.
 *
 * @example
 * ```ts
 * const session = await openDevToolsSession(9229, { target: 'core:user:worker' });
 * await session.send('Profiler.enable');
 * session.close();
 * ```
 */
export async function openDevToolsSession(
  inspectorPort: number,
  { target, timeoutMs = 60_000 }: { target?: string; timeoutMs?: number } = {},
): Promise<DevToolsSession> {
  return openSession(await debuggerUrl(inspectorPort, target), timeoutMs);
}

async function debuggerUrl(inspectorPort: number, target: string | undefined): Promise<string> {
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
  const socketUrl =
    target === undefined
      ? targets[0]?.webSocketDebuggerUrl
      : targets.find((candidate) => candidate.webSocketDebuggerUrl?.endsWith(`/${target}`))?.webSocketDebuggerUrl;
  if (!socketUrl)
    throw new Error(
      `the inspector at ${listUrl} lists no target ${target === undefined ? 'to debug' : `named ${target} (it lists: ${targets.map((candidate) => candidate.webSocketDebuggerUrl).join(', ')})`}`,
    );
  return socketUrl;
}

async function openSession(socketUrl: string, timeoutMs: number): Promise<DevToolsSession> {
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
    socketUrl,
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
