/**
 * A stdio MCP server that the bridge initializes itself, for clients that never send `initialize`
 * (the stateless 2026-07-28 revision) and for servers shared by several of a user's sessions.
 *
 * The bridge is the only MCP client of such a child, so it owns the JSON-RPC ids on the stdio side:
 * every call gets a bridge-chosen id (and a bridge-chosen progress token), mapped back to the caller,
 * so concurrent callers can never see each other's answers. A request the server sends to the client
 * (sampling, elicitation, roots) is handed to the newest call still waiting, which is the best stdio
 * allows: stdio says nothing about which call a server request belongs to.
 */
import {
  ErrorCode,
  isJSONRPCErrorResponse,
  isJSONRPCNotification,
  isJSONRPCRequest,
  isJSONRPCResultResponse,
  type ClientCapabilities,
  type InitializeResult,
  type JSONRPCMessage,
  type JSONRPCNotification,
  type JSONRPCRequest,
  type RequestId,
} from '@modelcontextprotocol/sdk/types.js';
import { StdioChild, type ChildExit } from './stdio-child.ts';

/** A JSON-RPC error, as the bridge answers it to a client. */
export class JsonRpcError extends Error {
  override name = 'JsonRpcError';
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
  }
}

/** The protocol revision the bridge speaks to a child it initializes itself. */
const CHILD_PROTOCOL_VERSION = '2025-11-25';

/** What a call does with the requests and notifications the server sends while it runs. */
export interface CallHooks {
  /** A server-to-client request during the call; resolve with its result, reject with a {@link JsonRpcError}. */
  onServerRequest?: (request: JSONRPCRequest) => Promise<Record<string, unknown>>;
  /** Progress for this call (token already mapped back) and other notifications sent while it runs. */
  onNotification?: (notification: JSONRPCNotification) => void;
  /** Aborting sends `notifications/cancelled` to the server and rejects the call. */
  signal?: AbortSignal;
  /** Rejects the call with a timeout error (and cancels it at the server) after this long. */
  timeoutMs?: number;
}

interface PendingCall {
  resolve: (result: Record<string, unknown>) => void;
  reject: (error: JsonRpcError) => void;
  hooks: CallHooks;
  progressToken: string | number | undefined;
}

/** Options of {@link InitializedChild.start}. */
export interface InitializedChildOptions {
  command: readonly string[];
  env?: Record<string, string>;
  /** What the bridge tells the server it can do on behalf of its clients. */
  capabilities: ClientCapabilities;
  /** Time the server gets to answer `initialize`. */
  initializeTimeoutMs: number;
  /** Largest accepted message from the server, in bytes of its JSON. */
  maxResponseBytes: number;
  log: (event: string, fields?: object) => void;
}

/** A running, initialized stdio MCP server with the bridge as its one client. */
export class InitializedChild {
  /** The server's answer to the bridge's `initialize`. */
  readonly initializeResult: InitializeResult;
  /** Settles when the process has exited. */
  readonly exited: Promise<ChildExit>;
  /** Server notifications that belong to no call: list changes, resource updates, logging. */
  onnotification?: (notification: JSONRPCNotification) => void;

  readonly #child: StdioChild;
  readonly #pending = new Map<number, PendingCall>();
  readonly #log: InitializedChildOptions['log'];
  readonly #maxResponseBytes: number;
  #nextId = 1;
  #exitError: JsonRpcError | undefined;

  private constructor(child: StdioChild, initializeResult: InitializeResult, options: InitializedChildOptions) {
    this.#child = child;
    this.initializeResult = initializeResult;
    this.#log = options.log;
    this.#maxResponseBytes = options.maxResponseBytes;
    this.exited = child.exited;
  }

  /**
   * Spawns the server and runs the `initialize` handshake as its client. Rejects (and leaves no
   * process behind) when the program cannot start or does not answer in time.
   *
   * @example
   * ```ts
   * const child = await InitializedChild.start({ command: ['node', 'server.js'], capabilities: {}, initializeTimeoutMs: 10_000, maxResponseBytes: 4 << 20, log });
   * const { tools } = await child.call('tools/list', {});
   * ```
   */
  static async start(options: InitializedChildOptions): Promise<InitializedChild> {
    const child = await StdioChild.spawn(options.command, options.env);
    const handshake = new Handshake(child);
    try {
      const result = await handshake.run(options.capabilities, options.initializeTimeoutMs);
      const initialized = new InitializedChild(child, result, options);
      initialized.#attach();
      await child.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
      return initialized;
    } catch (error) {
      await child.stop();
      throw error;
    }
  }

  /** The operating system's process id. */
  get pid(): number {
    return this.#child.pid;
  }

  /** Calls still waiting for the server. */
  get inFlight(): number {
    return this.#pending.size;
  }

  /**
   * Sends one request to the server under a bridge-chosen id and resolves with its result; rejects
   * with a {@link JsonRpcError} for an error answer, a timeout, a cancellation or the server's exit.
   */
  call(
    method: string,
    params: Record<string, unknown> | undefined,
    hooks: CallHooks = {},
  ): Promise<Record<string, unknown>> {
    if (this.#exitError) return Promise.reject(this.#exitError);
    const id = this.#nextId++;
    const clientToken = (params?._meta as { progressToken?: string | number } | undefined)?.progressToken;
    const progressToken = clientToken === undefined ? undefined : `bridge-${id}`;
    const sentParams =
      progressToken === undefined ? params : { ...params, _meta: { ...(params?._meta as object), progressToken } };

    return new Promise<Record<string, unknown>>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const cancel = (reason: string, error: JsonRpcError) => {
        if (!this.#pending.has(id)) return;
        this.#settle(id);
        void this.#child
          .send({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: id, reason } })
          .catch(() => {});
        reject(error);
      };
      const onAbort = () =>
        cancel('cancelled by the client', new JsonRpcError(ErrorCode.ConnectionClosed, 'The request was cancelled'));
      const cleanup = () => {
        clearTimeout(timer);
        hooks.signal?.removeEventListener('abort', onAbort);
      };
      this.#pending.set(id, {
        resolve: (result) => (cleanup(), resolve(result)),
        reject: (error) => (cleanup(), reject(error)),
        hooks: {
          ...hooks,
          onNotification: hooks.onNotification && this.#unmapProgress(hooks.onNotification, clientToken),
        },
        progressToken,
      });
      if (hooks.timeoutMs !== undefined) {
        timer = setTimeout(() => {
          this.#log('request.timeout', { method, pid: this.pid, timeoutMs: hooks.timeoutMs });
          cancel(
            'timeout',
            new JsonRpcError(ErrorCode.RequestTimeout, `The MCP server did not answer within ${hooks.timeoutMs} ms`),
          );
        }, hooks.timeoutMs);
      }
      if (hooks.signal?.aborted) return onAbort();
      hooks.signal?.addEventListener('abort', onAbort, { once: true });
      const request: JSONRPCRequest = {
        jsonrpc: '2.0',
        id,
        method,
        ...(sentParams === undefined ? {} : { params: sentParams }),
      };
      this.#child.send(request).catch(() => {
        // The pipe is gone: the exit handler answers this call.
      });
    });
  }

  /** Stops the process (its whole group); calls still waiting get an error. */
  async stop(): Promise<void> {
    await this.#child.stop();
  }

  #settle(id: number): PendingCall | undefined {
    const pending = this.#pending.get(id);
    this.#pending.delete(id);
    return pending;
  }

  #unmapProgress(onNotification: (n: JSONRPCNotification) => void, clientToken: string | number | undefined) {
    return (notification: JSONRPCNotification) => {
      if (notification.method !== 'notifications/progress') return onNotification(notification);
      onNotification({ ...notification, params: { ...notification.params, progressToken: clientToken } });
    };
  }

  #attach(): void {
    this.#child.onmessage = (message) => this.#receive(message);
    this.#child.onerror = (error) => this.#log('child.error', { pid: this.pid, error: error.message });
    void this.#child.exited.then(({ code, signal }) => {
      this.#exitError = new JsonRpcError(ErrorCode.ConnectionClosed, 'The MCP server process exited; try again');
      for (const [id, pending] of this.#pending) {
        this.#settle(id);
        pending.reject(this.#exitError);
      }
      this.#log('child.exited', { pid: this.pid, code, signal });
    });
  }

  #receive(message: JSONRPCMessage): void {
    if (isJSONRPCResultResponse(message) || isJSONRPCErrorResponse(message)) return this.#receiveResponse(message);
    if (isJSONRPCRequest(message)) return void this.#receiveServerRequest(message);
    if (isJSONRPCNotification(message)) return this.#receiveNotification(message);
  }

  #receiveResponse(message: JSONRPCMessage & { id?: RequestId }): void {
    const pending = typeof message.id === 'number' ? this.#settle(message.id) : undefined;
    if (!pending) return;
    if (isJSONRPCErrorResponse(message)) {
      return pending.reject(new JsonRpcError(message.error.code, message.error.message, message.error.data));
    }
    if (!isJSONRPCResultResponse(message)) return;
    if (JSON.stringify(message.result).length > this.#maxResponseBytes) {
      this.#log('response.too_large', { pid: this.pid, limitBytes: this.#maxResponseBytes });
      return pending.reject(
        new JsonRpcError(
          ErrorCode.InternalError,
          `The MCP server's answer is larger than ${this.#maxResponseBytes} bytes`,
        ),
      );
    }
    pending.resolve(message.result);
  }

  /** The newest call that can take server requests, or `undefined`. */
  #newestCallTaking(hook: 'onServerRequest' | 'onNotification'): PendingCall | undefined {
    return [...this.#pending.values()].reverse().find((pending) => pending.hooks[hook] !== undefined);
  }

  async #receiveServerRequest(request: JSONRPCRequest): Promise<void> {
    if (request.method === 'ping')
      return this.#child.send({ jsonrpc: '2.0', id: request.id, result: {} }).catch(() => {});
    const taker = this.#newestCallTaking('onServerRequest');
    let reply: JSONRPCMessage;
    try {
      if (!taker)
        throw new JsonRpcError(ErrorCode.MethodNotFound, `No client can answer ${request.method} outside a request`);
      reply = { jsonrpc: '2.0', id: request.id, result: await taker.hooks.onServerRequest!(request) };
    } catch (error) {
      const { code, message, data } =
        error instanceof JsonRpcError
          ? error
          : new JsonRpcError(ErrorCode.InternalError, 'The client could not answer');
      reply = { jsonrpc: '2.0', id: request.id, error: { code, message, ...(data === undefined ? {} : { data }) } };
    }
    await this.#child.send(reply).catch(() => {});
  }

  #receiveNotification(notification: JSONRPCNotification): void {
    if (notification.method === 'notifications/progress') {
      const token = notification.params?.progressToken;
      const owner = [...this.#pending.values()].find(
        (pending) => pending.progressToken !== undefined && pending.progressToken === token,
      );
      return owner?.hooks.onNotification?.(notification);
    }
    // Log messages most likely belong to the call in progress; changes (list_changed, updated) concern
    // everyone using this server.
    const taker =
      notification.method === 'notifications/message' ? this.#newestCallTaking('onNotification') : undefined;
    if (taker) return taker.hooks.onNotification!(notification);
    this.onnotification?.(notification);
  }
}

/** The `initialize` exchange, before any call can be made. */
class Handshake {
  constructor(private readonly child: StdioChild) {}

  run(capabilities: ClientCapabilities, timeoutMs: number): Promise<InitializeResult> {
    return new Promise<InitializeResult>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new JsonRpcError(
              ErrorCode.RequestTimeout,
              `The MCP server did not answer initialize within ${timeoutMs} ms`,
            ),
          ),
        timeoutMs,
      );
      void this.child.exited.then(() =>
        reject(new JsonRpcError(ErrorCode.ConnectionClosed, 'The MCP server process exited during initialize')),
      );
      this.child.onmessage = (message) => {
        if (!('id' in message) || message.id !== 0) return;
        clearTimeout(timer);
        if (isJSONRPCErrorResponse(message)) return reject(new JsonRpcError(message.error.code, message.error.message));
        if (isJSONRPCResultResponse(message)) resolve(message.result as InitializeResult);
      };
      this.child
        .send({
          jsonrpc: '2.0',
          id: 0,
          method: 'initialize',
          params: {
            protocolVersion: CHILD_PROTOCOL_VERSION,
            capabilities,
            clientInfo: { name: 'secure-mcp-bridge', version: '1.0.0' },
          },
        })
        .catch(() => {});
    });
  }
}
