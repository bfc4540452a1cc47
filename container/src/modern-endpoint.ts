/**
 * The stateless 2026-07-28 revision for one user, in front of a stdio server that speaks a 2025
 * revision: the SDK v2's `createMcpHandler` does the revision's HTTP rules (the per-request `_meta`
 * envelope, `server/discover`, `Mcp-Method`/`Mcp-Name` checked against the body, list-changed
 * subscriptions), and every request it does not answer itself is relayed to the user's
 * bridge-initialized child.
 *
 * A 2026-07-28 server never sends requests to the client; it answers `input_required` and the client
 * retries with the answers. So when the stdio server asks for sampling, elicitation or roots during a
 * call, the bridge holds the call, answers the client `input_required` with the server's request and a
 * random `requestState`, and on the retry hands the client's answer to the waiting server.
 */
import { randomBytes } from 'node:crypto';
import {
  CLIENT_CAPABILITIES_META_KEY,
  createMcpHandler,
  inputRequired,
  ProtocolError,
  Server,
  type InputRequest,
  type McpHttpHandler,
  type ServerContext,
  type ServerOptions,
} from '@modelcontextprotocol/server';
import { ErrorCode, type JSONRPCNotification, type JSONRPCRequest } from '@modelcontextprotocol/sdk/types.js';
import type { ChildSupervisor } from './child-supervisor.ts';
import { refusalFor } from './client-capabilities.ts';
import { JsonRpcError, type InitializedChild } from './initialized-child.ts';

/** Reserved `_meta` keys of the 2026-07-28 envelope: for the bridge, never for the stdio server. */
const ENVELOPE_PREFIX = 'io.modelcontextprotocol/';

/** Timing rules of a {@link ModernEndpoint}. */
export interface ModernEndpointOptions {
  /** Longest time one call may take, input rounds included. */
  requestTimeoutMs: number;
  log: (event: string, fields?: object) => void;
}

/** A server request waiting for the client's answer on a retry. */
interface Ask {
  request: JSONRPCRequest;
  resolve: (result: Record<string, unknown>) => void;
  reject: (error: JsonRpcError) => void;
}

/**
 * One call to the stdio server seen as a sequence of rounds: each round ends with the result or with
 * the server requests that arrived meanwhile.
 */
class CallExchange {
  readonly #result: Promise<Record<string, unknown>>;
  readonly #asks: Ask[] = [];
  #wake: () => void = () => {};
  #notify: ((notification: JSONRPCNotification) => void) | undefined;
  readonly #abort = new AbortController();

  constructor(
    child: InitializedChild,
    method: string,
    params: Record<string, unknown> | undefined,
    options: { timeoutMs: number; clientCapabilities: Record<string, unknown> | undefined },
  ) {
    this.#result = child.call(method, params, {
      timeoutMs: options.timeoutMs,
      signal: this.#abort.signal,
      onNotification: (notification) => this.#notify?.(notification),
      onServerRequest: (request) =>
        new Promise((resolve, reject) => {
          const refusal = refusalFor(request.method, options.clientCapabilities);
          if (refusal) return reject(refusal);
          this.#asks.push({ request, resolve, reject });
          this.#wake();
        }),
    });
    this.#result.then(
      () => this.#wake(),
      () => this.#wake(),
    );
  }

  /** Runs one round on behalf of one HTTP exchange: its notifications and its cancellation. */
  async round(context: ServerContext): Promise<{ result: Record<string, unknown> } | { asks: Ask[] }> {
    const onAbort = () => this.cancel();
    context.mcpReq.signal.addEventListener('abort', onAbort, { once: true });
    this.#notify = (notification) => void context.mcpReq.notify(notification).catch(() => {});
    try {
      if (this.#asks.length === 0) {
        await Promise.race([this.#result.catch(() => {}), new Promise<void>((resolve) => (this.#wake = resolve))]);
      }
      if (this.#asks.length > 0) return { asks: this.#asks.splice(0) };
      return { result: await this.#result };
    } finally {
      context.mcpReq.signal.removeEventListener('abort', onAbort);
      this.#notify = undefined;
    }
  }

  /** Gives up on the call: the server gets `notifications/cancelled`. */
  cancel(): void {
    this.#abort.abort();
    for (const ask of this.#asks.splice(0))
      ask.reject(new JsonRpcError(ErrorCode.ConnectionClosed, 'The request was cancelled'));
  }
}

/** One user's 2026-07-28 endpoint. */
export class ModernEndpoint {
  readonly #supervisor: ChildSupervisor;
  readonly #options: ModernEndpointOptions;
  /** Calls waiting for a client's retry, by `requestState`. */
  readonly #suspended = new Map<string, { exchange: CallExchange; asks: Map<string, Ask>; timer: NodeJS.Timeout }>();
  readonly #handler: McpHttpHandler;

  constructor(supervisor: ChildSupervisor, options: ModernEndpointOptions) {
    this.#supervisor = supervisor;
    this.#options = options;
    this.#handler = createMcpHandler(() => this.#createServer(), {
      legacy: 'reject',
      onerror: (error) => options.log('request.refused', { revision: 'stateless', reason: error.message }),
    });
    supervisor.notificationListeners.add((notification) => this.#relayChange(notification));
  }

  /** Serves one HTTP request of the 2026-07-28 revision. */
  fetch(request: Request): Promise<Response> {
    return this.#handler.fetch(request);
  }

  /** Ends every open exchange and subscription stream; calls still held are cancelled. */
  async close(): Promise<void> {
    for (const { exchange, timer } of this.#suspended.values()) {
      clearTimeout(timer);
      exchange.cancel();
    }
    this.#suspended.clear();
    await this.#handler.close();
  }

  async #createServer(): Promise<Server> {
    const child = await this.#childOrProtocolError();
    const { serverInfo, capabilities, instructions } = child.initializeResult;
    // The stdio server's own capabilities, as it declared them (JSON from the same wire).
    const server = new Server(serverInfo, {
      capabilities: capabilities as ServerOptions['capabilities'],
      ...(instructions === undefined ? {} : { instructions }),
    });
    server.fallbackRequestHandler = (request, context) => this.#relay(request, context);
    return server;
  }

  async #childOrProtocolError(): Promise<InitializedChild> {
    try {
      return await this.#supervisor.child();
    } catch (error) {
      throw asProtocolError(error);
    }
  }

  async #relay(request: JSONRPCRequest, context: ServerContext): Promise<Record<string, unknown>> {
    this.#supervisor.touch();
    const state = context.mcpReq.requestState<string>();
    let exchange: CallExchange;
    if (state === undefined) {
      const child = await this.#childOrProtocolError();
      const envelope = context.mcpReq.envelope as Record<string, unknown> | undefined;
      const clientCapabilities = envelope?.[CLIENT_CAPABILITIES_META_KEY] as Record<string, unknown> | undefined;
      exchange = new CallExchange(child, request.method, serverParams(request.params), {
        timeoutMs: this.#options.requestTimeoutMs,
        clientCapabilities,
      });
    } else {
      exchange = this.#resume(state, context.mcpReq.inputResponses ?? {});
    }
    let round;
    try {
      round = await exchange.round(context);
    } catch (error) {
      throw asProtocolError(error);
    }
    if ('result' in round) return round.result;
    return this.#suspend(exchange, round.asks);
  }

  /** Holds a call until the client retries with answers to `asks`. */
  #suspend(exchange: CallExchange, asks: Ask[]): Record<string, unknown> {
    const requestState = randomBytes(24).toString('base64url');
    const byKey = new Map(asks.map((ask, index) => [`ask-${index + 1}`, ask]));
    const timer = setTimeout(() => {
      this.#suspended.delete(requestState);
      exchange.cancel();
    }, this.#options.requestTimeoutMs);
    timer.unref();
    this.#suspended.set(requestState, { exchange, asks: byKey, timer });
    const inputRequests = Object.fromEntries(
      [...byKey].map(([key, ask]) => [
        key,
        { method: ask.request.method, params: ask.request.params ?? {} } as InputRequest,
      ]),
    );
    this.#options.log('request.input_required', { methods: asks.map((ask) => ask.request.method) });
    return inputRequired({ inputRequests, requestState });
  }

  /** Takes a held call back and gives the server the client's answers. */
  #resume(requestState: string, responses: Record<string, unknown>): CallExchange {
    const held = this.#suspended.get(requestState);
    if (!held)
      throw new ProtocolError(ErrorCode.InvalidParams, 'Unknown or expired requestState: call again without it');
    this.#suspended.delete(requestState);
    clearTimeout(held.timer);
    for (const [key, ask] of held.asks) {
      const answer = responses[key];
      if (answer && typeof answer === 'object') ask.resolve(answer as Record<string, unknown>);
      else ask.reject(new JsonRpcError(ErrorCode.InvalidParams, `The client did not answer ${ask.request.method}`));
    }
    return held.exchange;
  }

  /** List changes of the stdio server reach 2026-07-28 clients through their subscriptions. */
  #relayChange(notification: JSONRPCNotification): void {
    const notify = this.#handler.notify;
    if (notification.method === 'notifications/tools/list_changed') notify.toolsChanged();
    else if (notification.method === 'notifications/prompts/list_changed') notify.promptsChanged();
    else if (notification.method === 'notifications/resources/list_changed') notify.resourcesChanged();
    else if (notification.method === 'notifications/resources/updated')
      notify.resourceUpdated(String(notification.params?.uri));
  }
}

/** The request's params as the stdio server should see them: without the 2026-07-28 envelope. */
function serverParams(params: JSONRPCRequest['params']): Record<string, unknown> | undefined {
  if (!params) return undefined;
  const { _meta, inputResponses: _responses, requestState: _state, ...rest } = params as Record<string, unknown>;
  if (!_meta || typeof _meta !== 'object') return rest;
  const meta = Object.fromEntries(Object.entries(_meta).filter(([key]) => !key.startsWith(ENVELOPE_PREFIX)));
  return Object.keys(meta).length > 0 ? { ...rest, _meta: meta } : rest;
}

function asProtocolError(error: unknown): ProtocolError {
  if (error instanceof ProtocolError) return error;
  if (error instanceof JsonRpcError) return new ProtocolError(error.code, error.message, error.data);
  return new ProtocolError(ErrorCode.InternalError, 'Internal error');
}
