/**
 * A 2025 MCP session (Streamable HTTP or the old HTTP+SSE transport) served by the user's one shared
 * stdio server instead of a child of its own. For servers known to be safe to share between one user's
 * sessions (configured with `shareChildPerUser`); it saves a process per session.
 *
 * The bridge answers the session's `initialize` from the server's own answer to the bridge, and relays
 * every request under a bridge-chosen id (`InitializedChild`). Server requests during a call
 * (sampling, elicitation, roots) go to this session's client on that call's stream, under ids of this
 * session, and only when the client declared it can answer them.
 */
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  ErrorCode,
  isJSONRPCErrorResponse,
  isJSONRPCNotification,
  isJSONRPCRequest,
  isJSONRPCResultResponse,
  LATEST_PROTOCOL_VERSION,
  SUPPORTED_PROTOCOL_VERSIONS,
  type JSONRPCMessage,
  type JSONRPCNotification,
  type JSONRPCRequest,
  type RequestId,
} from '@modelcontextprotocol/sdk/types.js';
import type { ChildSupervisor } from './child-supervisor.ts';
import { refusalFor } from './client-capabilities.ts';
import { JsonRpcError } from './initialized-child.ts';
import type { SessionEndReason } from './mcp-session.ts';

/** What a shared-child session needs from the bridge. */
export interface SharedChildSessionOptions {
  id: string;
  userKey: string;
  http: Transport;
  supervisor: ChildSupervisor;
  requestTimeoutMs: number;
  log: (event: string, fields?: object) => void;
  onEnded: (session: SharedChildSession) => void;
  /** Whether the user had room for this session (the bridge's per-user quota): an error refuses it. */
  admitted?: Promise<JsonRpcError | undefined>;
}

/** A 2025 session on the user's shared stdio server. */
export class SharedChildSession {
  readonly id: string;
  readonly userKey: string;
  lastActivity = Date.now();
  /** Streams the client holds open on this session (its GET stream): such a session is in use. */
  openStreams = 0;

  readonly #http: Transport;
  readonly #supervisor: ChildSupervisor;
  readonly #options: SharedChildSessionOptions;
  /** Client requests in flight, with the means to cancel them at the server. */
  readonly #calls = new Map<RequestId, AbortController>();
  /** Server requests sent to this client, waiting for its answer. */
  readonly #asks = new Map<
    string,
    { resolve: (result: Record<string, unknown>) => void; reject: (error: JsonRpcError) => void }
  >();
  readonly #listener = (notification: JSONRPCNotification) => void this.#http.send(notification).catch(() => {});
  #clientCapabilities: Record<string, unknown> | undefined;
  #nextAskId = 1;
  #ending: Promise<void> | undefined;

  constructor(options: SharedChildSessionOptions) {
    this.id = options.id;
    this.userKey = options.userKey;
    this.#http = options.http;
    this.#supervisor = options.supervisor;
    this.#options = options;
    this.#http.onmessage = (message) => void this.#receive(message);
    this.#http.onclose = () => void this.end('client-closed');
    this.#supervisor.notificationListeners.add(this.#listener);
  }

  /** The shared server's process id, once it runs. */
  get serverPid(): number | undefined {
    return this.#supervisor.pid;
  }

  /** Client requests waiting for the server. */
  get pendingRequests(): number {
    return this.#calls.size;
  }

  /** Ends the session (idempotent): its calls are cancelled at the server, which keeps running. */
  end(reason: SessionEndReason): Promise<void> {
    this.#ending ??= this.#finish(reason);
    return this.#ending;
  }

  async #receive(message: JSONRPCMessage): Promise<void> {
    this.lastActivity = Date.now();
    if (isJSONRPCRequest(message)) return this.#call(message);
    if (isJSONRPCResultResponse(message) || isJSONRPCErrorResponse(message)) return this.#answerAsk(message);
    if (isJSONRPCNotification(message) && message.method === 'notifications/cancelled') {
      this.#calls.get(message.params?.requestId as RequestId)?.abort();
    }
    // notifications/initialized and the like concern the bridge's own handshake, done already.
  }

  async #call(request: JSONRPCRequest): Promise<void> {
    const reply = (
      body: { result: Record<string, unknown> } | { error: { code: number; message: string; data?: unknown } },
    ) => this.#http.send({ jsonrpc: '2.0', id: request.id, ...body }, { relatedRequestId: request.id }).catch(() => {});
    const abort = new AbortController();
    this.#calls.set(request.id, abort);
    try {
      const refused = await this.#options.admitted;
      if (refused) {
        await reply({ error: { code: refused.code, message: refused.message } });
        void this.end('server-not-started');
        return;
      }
      this.#supervisor.touch();
      const child = await this.#supervisor.child();
      if (request.method === 'initialize')
        return await reply({ result: this.#initializeResult(request, child.initializeResult) });
      const result = await child.call(request.method, request.params, {
        timeoutMs: this.#options.requestTimeoutMs,
        signal: abort.signal,
        onNotification: (notification) =>
          void this.#http.send(notification, { relatedRequestId: request.id }).catch(() => {}),
        onServerRequest: (serverRequest) => this.#ask(serverRequest, request.id),
      });
      await reply({ result });
    } catch (error) {
      // A call the client cancelled, or one the session's end has already answered, gets no reply.
      if (abort.signal.aborted) return;
      const { code, message, data } =
        error instanceof JsonRpcError ? error : new JsonRpcError(ErrorCode.InternalError, 'Internal error');
      // oxlint-disable-next-line typescript/no-unsafe-enum-comparison -- a code from the wire is a plain number; ErrorCode names the SDK's
      if (code === ErrorCode.RequestTimeout)
        this.#options.log('request.timeout', { sessionId: this.id, userKey: this.userKey, method: request.method });
      await reply({ error: { code, message, ...(data === undefined ? {} : { data }) } });
    } finally {
      this.#calls.delete(request.id);
    }
  }

  /** The session's `initialize` answer: the server's own, at a revision both sides speak. */
  #initializeResult(request: JSONRPCRequest, server: Record<string, unknown>): Record<string, unknown> {
    const params = (request.params ?? {}) as { protocolVersion?: string; capabilities?: Record<string, unknown> };
    this.#clientCapabilities = params.capabilities ?? {};
    const requested = params.protocolVersion ?? '';
    const protocolVersion = SUPPORTED_PROTOCOL_VERSIONS.includes(requested) ? requested : LATEST_PROTOCOL_VERSION;
    return { ...server, protocolVersion };
  }

  /** Sends a server request to this client on the stream of the call it belongs to. */
  #ask(serverRequest: JSONRPCRequest, relatedRequestId: RequestId): Promise<Record<string, unknown>> {
    const refusal = refusalFor(serverRequest.method, this.#clientCapabilities);
    if (refusal) return Promise.reject(refusal);
    const id = `bridge-${this.#nextAskId++}`;
    return new Promise((resolve, reject) => {
      this.#asks.set(id, { resolve, reject });
      this.#http.send({ ...serverRequest, id }, { relatedRequestId }).catch(() => {
        this.#asks.delete(id);
        reject(new JsonRpcError(ErrorCode.ConnectionClosed, 'The client could not be reached'));
      });
    });
  }

  #answerAsk(message: JSONRPCMessage & { id?: RequestId }): void {
    const ask = typeof message.id === 'string' ? this.#asks.get(message.id) : undefined;
    if (!ask) return;
    this.#asks.delete(message.id as string);
    if (isJSONRPCErrorResponse(message))
      ask.reject(new JsonRpcError(message.error.code, message.error.message, message.error.data));
    else if (isJSONRPCResultResponse(message)) ask.resolve(message.result);
  }

  async #finish(reason: SessionEndReason): Promise<void> {
    this.#options.onEnded(this);
    this.#supervisor.notificationListeners.delete(this.#listener);
    const error = {
      code: ErrorCode.ConnectionClosed,
      message: reason === 'bridge-closing' ? 'The bridge is shutting down' : 'The MCP session was closed',
    };
    const unanswered = [...this.#calls];
    await Promise.allSettled(unanswered.map(([id]) => this.#http.send({ jsonrpc: '2.0', id, error })));
    for (const [, abort] of unanswered) abort.abort();
    for (const ask of this.#asks.values())
      ask.reject(new JsonRpcError(ErrorCode.ConnectionClosed, 'The MCP session was closed'));
    this.#asks.clear();
    await this.#http.close();
    this.#options.log('session.closed', { sessionId: this.id, userKey: this.userKey, reason, shared: true });
  }
}
