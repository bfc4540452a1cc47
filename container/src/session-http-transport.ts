/**
 * The HTTP side of a 2025 Streamable HTTP session. The SDK's `StreamableHTTPServerTransport` serves
 * everything (initialize, batches, notifications, the GET stream, DELETE, refusals) except the common
 * case: a POST carrying one JSON-RPC request, which this answers itself and chooses its media type
 * late. The answer goes out as `application/json` when it is the first message for that request; the
 * POST becomes a `text/event-stream` as soon as another message must go out first (progress, logging,
 * a sampling or elicitation request), or when the answer takes longer than the keep-alive interval.
 * The specification lets the server pick either per POST when the client accepts both; a JSON answer
 * saves the SSE framing on both sides (about a fifth of an `echo` call through the bridge on loopback).
 * A client that lists `text/event-stream` before `application/json` keeps getting SSE.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { Transport, TransportSendOptions } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  isJSONRPCRequest,
  SUPPORTED_PROTOCOL_VERSIONS,
  type JSONRPCMessage,
  type RequestId,
} from '@modelcontextprotocol/sdk/types.js';

/**
 * Interval of the keep-alive comments on a session's event streams: the GET stream (the SDK
 * transport's, given this) and POST answers (an answer slower than this goes out as SSE). The SDK's
 * own default, written down because a proxy in front (the Worker) notices a client that left only
 * when it writes to it: on an idle stream, this is how late the bridge's own writes tell it.
 */
export const SESSION_KEEP_ALIVE_MS = 15_000;

const SSE_HEADERS = {
  'content-type': 'text/event-stream',
  'cache-control': 'no-cache, no-transform',
  connection: 'keep-alive',
  'x-accel-buffering': 'no',
};

/**
 * One POST waiting for its answer. Headers are written only once the media type is chosen: JSON for
 * an answer that comes first, SSE from the first other message or the first keep-alive.
 */
class PendingAnswer {
  #keepAlive: NodeJS.Timeout;
  #streaming = false;

  constructor(
    private readonly response: ServerResponse,
    private readonly sessionId: string,
    keepAliveMs: number,
  ) {
    this.#keepAlive = setTimeout(() => this.#tick(keepAliveMs), keepAliveMs).unref();
  }

  /** Sends a message for this request that is not its answer; the POST becomes an SSE stream. */
  stream(message: JSONRPCMessage): void {
    this.#startStream();
    this.response.write(`event: message\ndata: ${JSON.stringify(message)}\n\n`);
  }

  /** Sends the request's answer and ends the POST. */
  answer(message: JSONRPCMessage): void {
    clearTimeout(this.#keepAlive);
    if (this.#streaming) {
      this.response.end(`event: message\ndata: ${JSON.stringify(message)}\n\n`);
      return;
    }
    this.response
      .writeHead(200, { 'content-type': 'application/json', 'mcp-session-id': this.sessionId })
      .end(JSON.stringify(message));
  }

  /** Ends the POST without an answer (the session closed): an empty stream, as the SDK transport does. */
  end(): void {
    clearTimeout(this.#keepAlive);
    this.#startStream();
    this.response.end();
  }

  /** The client went away: nothing more is written. */
  abandon(): void {
    clearTimeout(this.#keepAlive);
  }

  #startStream(): void {
    if (this.#streaming) return;
    this.#streaming = true;
    this.response.writeHead(200, { ...SSE_HEADERS, 'mcp-session-id': this.sessionId });
  }

  /** A slow answer: commit to SSE, so proxies in between see bytes and a departed client is noticed. */
  #tick(keepAliveMs: number): void {
    this.#startStream();
    this.response.write(': keepalive\n\n');
    this.#keepAlive = setTimeout(() => this.#tick(keepAliveMs), keepAliveMs).unref();
  }
}

/**
 * A `Transport` for `McpSession` and `SharedChildSession`: sends go to the POST that carried their
 * request when this transport took that POST, to the SDK transport otherwise.
 *
 * @example
 * ```ts
 * const http = new SessionHttpTransport(sdkTransport, sessionId);
 * await http.handleRequest(request, response, parsedBody);
 * ```
 */
export class SessionHttpTransport implements Transport {
  readonly #sdk: StreamableHTTPServerTransport;
  readonly #sessionId: string;
  readonly #keepAliveMs: number;
  readonly #pending = new Map<RequestId, PendingAnswer>();
  #onmessage: Transport['onmessage'];
  #closed = false;

  constructor(sdk: StreamableHTTPServerTransport, sessionId: string, keepAliveMs = SESSION_KEEP_ALIVE_MS) {
    this.#sdk = sdk;
    this.#sessionId = sessionId;
    this.#keepAliveMs = keepAliveMs;
  }

  get sessionId(): string {
    return this.#sessionId;
  }

  set onmessage(handler: Transport['onmessage']) {
    this.#onmessage = handler;
    this.#sdk.onmessage = handler;
  }
  get onmessage(): Transport['onmessage'] {
    return this.#onmessage;
  }
  set onclose(handler: Transport['onclose']) {
    this.#sdk.onclose = handler;
  }
  get onclose(): Transport['onclose'] {
    return this.#sdk.onclose;
  }
  set onerror(handler: Transport['onerror']) {
    this.#sdk.onerror = handler;
  }
  get onerror(): Transport['onerror'] {
    return this.#sdk.onerror;
  }

  start(): Promise<void> {
    return this.#sdk.start();
  }

  /**
   * Serves one HTTP request of the session (its session id already checked by the bridge). Resolves
   * once the POST it took is answered or its client left.
   */
  async handleRequest(request: IncomingMessage, response: ServerResponse, parsedBody: unknown): Promise<void> {
    if (!this.#takes(request, parsedBody)) return this.#sdk.handleRequest(request, response, parsedBody);
    const message = parsedBody as JSONRPCMessage & { id: RequestId };
    // A client gone while its body was read: relayed as the SDK transport would, with nobody to answer.
    if (response.destroyed) return this.#onmessage?.(message);
    const pending = new PendingAnswer(response, this.#sessionId, this.#keepAliveMs);
    this.#pending.set(message.id, pending);
    const done = new Promise<void>((resolve) =>
      response.once('close', () => {
        pending.abandon();
        if (this.#pending.get(message.id) === pending) this.#pending.delete(message.id);
        resolve();
      }),
    );
    this.#onmessage?.(message);
    await done;
  }

  async send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    const isResponse = !('method' in message);
    const requestId = isResponse ? (message as { id?: RequestId }).id : options?.relatedRequestId;
    const pending = requestId === undefined ? undefined : this.#pending.get(requestId);
    if (!pending) return this.#sdk.send(message, options);
    if (!isResponse) return pending.stream(message);
    this.#pending.delete(requestId!);
    pending.answer(message);
  }

  async close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      for (const pending of this.#pending.values()) pending.end();
      this.#pending.clear();
    }
    await this.#sdk.close();
  }

  /**
   * The POSTs this transport answers itself: one JSON-RPC request (not `initialize`), from a client
   * that accepts both media types and lists JSON first (as the SDK clients do), at a supported
   * protocol revision. The SDK transport refuses or
   * serves everything else exactly as before.
   */
  #takes(request: IncomingMessage, body: unknown): boolean {
    if (this.#closed || request.method !== 'POST') return false;
    // A client that lists text/event-stream first is taken to prefer it, and gets it as before.
    const accept = request.headers.accept ?? '';
    const json = accept.indexOf('application/json');
    if (json === -1 || !(json < accept.indexOf('text/event-stream'))) return false;
    const version = request.headers['mcp-protocol-version'];
    if (version !== undefined && !SUPPORTED_PROTOCOL_VERSIONS.includes(version as string)) return false;
    return isJSONRPCRequest(body) && body.method !== 'initialize';
  }
}
