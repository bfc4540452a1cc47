/**
 * One MCP session: an SDK server transport on the client side (Streamable HTTP, or the old HTTP+SSE
 * transport), a stdio child of its own on the server side, and raw JSON-RPC relayed between them with
 * ids unchanged. Each client request has a deadline; a request the server does not answer in time gets
 * a JSON-RPC error and the server gets `notifications/cancelled`.
 */
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  ErrorCode,
  isJSONRPCErrorResponse,
  isJSONRPCNotification,
  isJSONRPCRequest,
  isJSONRPCResultResponse,
  type JSONRPCMessage,
  type RequestId,
} from '@modelcontextprotocol/sdk/types.js';
import { JsonRpcError } from './initialized-child.ts';
import { StdioChild } from './stdio-child.ts';

/** Why a session ended, as logged. */
export type SessionEndReason =
  | 'client-closed'
  | 'server-exited'
  | 'server-not-started'
  | 'bridge-closing'
  | 'idle'
  | 'reclaimed';

const END_MESSAGES: Record<SessionEndReason, string> = {
  'client-closed': 'The MCP session was closed',
  'server-exited': 'The MCP server process exited; start a new session',
  'server-not-started': 'The MCP server process could not be started',
  'bridge-closing': 'The bridge is shutting down',
  idle: 'The MCP session was closed after being idle',
  reclaimed: 'The MCP session was closed, unused, to make room for a newer one; start a new session',
};

/** What a session needs from the bridge. */
export interface McpSessionOptions {
  id: string;
  /** The identity that opened the session; only the same identity may use it. */
  userKey: string;
  /** The client side, already started by its owner or started by the SDK on its first request. */
  http: Transport;
  command: readonly string[];
  env?: Record<string, string>;
  /** Deadline of each client request. */
  requestTimeoutMs: number;
  /** Largest message relayed from the server to the client, in bytes of JSON. */
  maxResponseBytes: number;
  /**
   * Takes a slot of the bridge's cap on children, making room first where it can (rejects with a
   * `JsonRpcError` saying why when it cannot); the returned function gives it back.
   */
  takeSlot: () => Promise<() => void>;
  log: (event: string, fields?: object) => void;
  /** Called once, as soon as the session ends, so it can no longer be found. */
  onEnded: (session: McpSession) => void;
}

/** A live MCP session. It starts its stdio child on construction and ends when either side goes away. */
export class McpSession {
  readonly id: string;
  readonly userKey: string;
  /** The child once started; `undefined` when it could not be started. */
  private readonly child: Promise<StdioChild | undefined>;
  private readonly http: Transport;
  private readonly log: McpSessionOptions['log'];
  private readonly onEnded: McpSessionOptions['onEnded'];
  /** Client requests the server has not answered yet, oldest first, with their deadline timers. */
  private readonly inFlight = new Map<RequestId, NodeJS.Timeout>();
  private readonly requestTimeoutMs: number;
  private readonly maxResponseBytes: number;
  /** Last time a client message arrived, for idle reaping. */
  lastActivity = Date.now();
  /** Streams the client holds open on this session (its GET stream): such a session is in use. */
  openStreams = 0;
  /** Why the child was not started, told to the client instead of a generic message. */
  private startRefusal: string | undefined;
  private pid: number | undefined;
  private ending: Promise<void> | undefined;

  constructor(options: McpSessionOptions) {
    this.id = options.id;
    this.userKey = options.userKey;
    this.http = options.http;
    this.log = options.log;
    this.onEnded = options.onEnded;
    this.requestTimeoutMs = options.requestTimeoutMs;
    this.maxResponseBytes = options.maxResponseBytes;
    this.http.onmessage = (message) => void this.relayToServer(message);
    this.http.onclose = () => void this.end('client-closed');
    this.child = this.startChild(options.command, options.env, options.takeSlot);
  }

  /** Client requests waiting for the server. */
  get pendingRequests(): number {
    return this.inFlight.size;
  }

  /** The stdio child's process id, once it runs. */
  get serverPid(): number | undefined {
    return this.pid;
  }

  /**
   * Ends the session (idempotent): answers the requests still in flight with a JSON-RPC error, closes
   * the HTTP side and stops the child. Resolves when the child has exited.
   */
  end(reason: SessionEndReason): Promise<void> {
    this.ending ??= this.finish(reason);
    return this.ending;
  }

  private async startChild(
    command: readonly string[],
    env: Record<string, string> | undefined,
    takeSlot: () => Promise<() => void>,
  ): Promise<StdioChild | undefined> {
    let child: StdioChild;
    let release: () => void = () => {};
    try {
      release = await takeSlot();
      child = await StdioChild.spawn(command, env);
    } catch (error) {
      release();
      if (error instanceof JsonRpcError) this.startRefusal = error.message;
      this.log('child.spawn_failed', { sessionId: this.id, userKey: this.userKey, error: (error as Error).message });
      return undefined;
    }
    void child.exited.then(release);
    this.pid = child.pid;
    this.log('child.spawned', { sessionId: this.id, userKey: this.userKey, pid: child.pid });
    child.onmessage = (message) => this.relayToClient(message);
    child.onerror = (error) => this.log('child.error', { sessionId: this.id, pid: child.pid, error: error.message });
    void child.exited.then(({ code, signal }) => {
      this.log('child.exited', { sessionId: this.id, userKey: this.userKey, pid: child.pid, code, signal });
      void this.end('server-exited');
    });
    return child;
  }

  private async relayToServer(message: JSONRPCMessage): Promise<void> {
    this.lastActivity = Date.now();
    if (isJSONRPCRequest(message)) this.inFlight.set(message.id, this.deadline(message.id, message.method));
    if (isJSONRPCNotification(message) && message.method === 'notifications/cancelled') {
      this.forget(message.params?.requestId as RequestId);
    }
    const child = await this.child;
    if (child === undefined) {
      await this.end('server-not-started');
      return;
    }
    try {
      await child.send(message);
    } catch {
      // The child is going away; its exit ends the session and answers what is still in flight.
      this.log('relay.failed', { sessionId: this.id, direction: 'to-server' });
    }
  }

  /** Answers a request the server has not answered in time, and tells the server to stop on it. */
  private deadline(id: RequestId, method: string): NodeJS.Timeout {
    return setTimeout(() => {
      if (!this.inFlight.has(id)) return;
      this.forget(id);
      this.log('request.timeout', {
        sessionId: this.id,
        userKey: this.userKey,
        method,
        timeoutMs: this.requestTimeoutMs,
      });
      const error = {
        code: ErrorCode.RequestTimeout,
        message: `The MCP server did not answer within ${this.requestTimeoutMs} ms`,
      };
      void this.http.send({ jsonrpc: '2.0', id, error }).catch(() => {});
      void this.child.then((child) =>
        child
          ?.send({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: id, reason: 'timeout' } })
          .catch(() => {}),
      );
    }, this.requestTimeoutMs);
  }

  private forget(id: RequestId): boolean {
    const timer = this.inFlight.get(id);
    clearTimeout(timer);
    return this.inFlight.delete(id);
  }

  private relayToClient(message: JSONRPCMessage): void {
    const isResponse = isJSONRPCResultResponse(message) || isJSONRPCErrorResponse(message);
    // An answer to a request that timed out or was cancelled has nobody waiting for it.
    if (isResponse && message.id !== undefined && !this.forget(message.id)) return;
    if (isJSONRPCResultResponse(message) && JSON.stringify(message.result).length > this.maxResponseBytes) {
      this.log('response.too_large', { sessionId: this.id, userKey: this.userKey, limitBytes: this.maxResponseBytes });
      const error = {
        code: ErrorCode.InternalError,
        message: `The MCP server's answer is larger than ${this.maxResponseBytes} bytes`,
      };
      void this.http.send({ jsonrpc: '2.0', id: message.id, error }).catch(() => {});
      return;
    }
    // stdio says nothing about which request a server-initiated message belongs to. Sending it on the
    // newest open request stream reaches clients that never open the GET stream; with nothing in
    // flight it goes to the GET stream.
    const relatedRequestId = isResponse ? undefined : [...this.inFlight.keys()].at(-1);
    this.http.send(message, { relatedRequestId }).catch(() => {
      // The client closed that stream, or no stream can carry the message.
      this.log('relay.undeliverable', { sessionId: this.id, direction: 'to-client' });
    });
  }

  private async finish(reason: SessionEndReason): Promise<void> {
    this.onEnded(this);
    const message =
      reason === 'server-not-started' ? (this.startRefusal ?? END_MESSAGES[reason]) : END_MESSAGES[reason];
    const error = { code: ErrorCode.ConnectionClosed, message };
    const unanswered = [...this.inFlight.keys()];
    for (const id of unanswered) this.forget(id);
    await Promise.allSettled(unanswered.map((id) => this.http.send({ jsonrpc: '2.0', id, error })));
    await this.http.close();
    this.log('session.closed', { sessionId: this.id, userKey: this.userKey, reason });
    await (await this.child)?.stop();
  }
}
