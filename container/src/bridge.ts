/**
 * The bridge: MCP over HTTP in, stdio MCP server out. Three protocol shapes, one stdio server:
 * - sessionful Streamable HTTP (2025-06-18, 2025-11-25): one child per MCP session, relayed raw;
 * - stateless 2026-07-28: one child per user that the bridge initializes itself (`modern-endpoint.ts`);
 * - the old HTTP+SSE transport (`GET /mcp/sse` + `POST /mcp/messages`): one child per SSE connection.
 *
 * Built on the MCP SDK v1's `StreamableHTTPServerTransport` rather than a ready-made bridge package:
 * the SDK already implements the transport's protocol rules (session ids, SSE and the GET stream,
 * DELETE, Accept/Content-Type checks, body bound, parse errors, Host checks) and we need what the
 * packages we looked at lack: a bind address (supergateway listens on every interface), a hook for
 * the Worker-signed identity, sessions bound to that identity, and exit codes in the logs. Messages
 * are relayed as raw JSON-RPC (no SDK `Client`/`Server` in between), so every tool, resource, prompt
 * and server-to-client request of the stdio server passes through unchanged.
 *
 * This file is the wiring: who may call (Host, the identity hook, drain, the concurrency bound),
 * which route a path goes to, listening and closing. Each transport has its own module:
 * `mcp-route.ts` (both Streamable HTTP revisions) and `sse-route.ts` (the old HTTP+SSE); the
 * sessions live in `session-registry.ts`, the per-user children in `user-children.ts`.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ErrorCode } from '@modelcontextprotocol/sdk/types.js';
import { DEFAULT_LIMITS, type BridgeLimits } from './bridge-limits.ts';
import { ChildSlots } from './child-slots.ts';
import { REFUSED, sendJson, sendJsonRpcError } from './json-rpc-http.ts';
import { handleMcp, type McpRouteContext } from './mcp-route.ts';
import { SessionRegistry, type BridgeSessionInfo } from './session-registry.ts';
import { handleSseMessage, handleSseStream, SSE_MESSAGES_PATH, SSE_STREAM_PATHS } from './sse-route.ts';
import { UserChildren } from './user-children.ts';

/** The caller of a request, as vouched for by the `authenticate` hook. */
export interface BridgeIdentity {
  /** Stable key of the user; a session only answers the user that opened it. */
  userKey: string;
  email?: string;
  groups?: string[];
}

/** Options of {@link startBridge}. */
export interface BridgeOptions {
  /** The stdio MCP server to run: program and arguments (no shell). */
  command: string[];
  /** TCP port; default 8790, 0 picks a free one. */
  port?: number;
  /** Address to listen on; default 127.0.0.1. */
  host?: string;
  /** Environment for the stdio server, on top of a minimal inherited set (PATH, HOME, ...). */
  env?: Record<string, string>;
  /**
   * Environment that tells the stdio server who its user is, when configured (for example
   * `{ MCP_USER_EMAIL: identity.email }`). Merged over `env` for that user's children.
   */
  identityEnv?: (identity: BridgeIdentity) => Record<string, string>;
  /**
   * Decides who is calling; `undefined` refuses the request with 401 (return it for bad input rather
   * than throw). Asked for every MCP request, not for `/healthz`. The default accepts everyone as
   * one anonymous user.
   */
  authenticate?: (request: IncomingMessage) => BridgeIdentity | undefined | Promise<BridgeIdentity | undefined>;
  /**
   * One stdio server per user for all of that user's sessions, instead of one per session. Only for
   * servers known to be safe to share (no per-session state the sessions could see of each other).
   * Stateless 2026-07-28 clients always use the per-user server.
   */
  shareChildPerUser?: boolean;
  /** Bounds and timings; each one defaults to {@link DEFAULT_LIMITS}. */
  limits?: Partial<BridgeLimits>;
  /** Receives one record per event; default: one JSON line on stdout. Records never hold request content. */
  logger?: (record: object) => void;
}

/** A listening bridge. */
export interface RunningBridge {
  /** Base URL, e.g. `http://127.0.0.1:8790`; MCP is served at `${url}/mcp`. */
  url: string;
  port: number;
  /** The sessions open right now. */
  sessions(): BridgeSessionInfo[];
  /** Process ids of the per-user children serving stateless (2026-07-28) clients, by user key. */
  sharedChildren(): Record<string, number | undefined>;
  /**
   * Stops taking new work, lets requests in flight finish for up to `limits.drainMs`, then ends every
   * session, stops every child process and closes the server.
   */
  close(): Promise<void>;
}

export const DEFAULT_PORT = 8790;
export const DEFAULT_HOST = '127.0.0.1';
/** Largest accepted request body by default; larger ones get 413. */
export const MAX_REQUEST_BODY_BYTES = DEFAULT_LIMITS.maxRequestBodyBytes;

const ANONYMOUS: BridgeIdentity = { userKey: 'anonymous' };

/**
 * Starts the bridge and resolves once it listens. Rejects with the listen error (for example
 * `EADDRINUSE`) when it cannot.
 *
 * @example
 * ```ts
 * const bridge = await startBridge({ command: ['node', 'server.js', 'stdio'], port: 0 });
 * console.log(`${bridge.url}/mcp`);
 * await bridge.close();
 * ```
 */
export async function startBridge(options: BridgeOptions): Promise<RunningBridge> {
  const { command, authenticate = () => ANONYMOUS } = options;
  if (!command[0]) throw new Error('command must name the MCP server program');
  const limits: BridgeLimits = { ...DEFAULT_LIMITS, ...options.limits };
  const host = options.host ?? DEFAULT_HOST;
  const logger = options.logger ?? ((record: object) => console.log(JSON.stringify(record)));
  const log = (event: string, fields: object = {}) => logger({ time: new Date().toISOString(), event, ...fields });
  const env = (identity: BridgeIdentity) => ({ ...options.env, ...options.identityEnv?.(identity) });
  const slots = new ChildSlots(limits.maxChildren);
  const userChildren = new UserChildren({ command, env, limits, slots, log });
  const sessions = new SessionRegistry({
    command,
    env,
    limits,
    slots,
    log,
    ...(options.shareChildPerUser ? { sharedChildren: userChildren } : {}),
  });
  let allowedHosts: string[] | undefined;
  const routes: McpRouteContext = { limits, log, sessions, userChildren, allowedHosts: () => allowedHosts };
  let activeRequests = 0;
  /** Requests in flight per user: one user may not take every slot (docs/security.md 22). */
  const activeByUser = new Map<string, number>();
  let closing: Promise<void> | undefined;

  /** Every MCP route: who is calling, whether the bridge takes work now, then the route itself. */
  async function handleMcpRoute(route: 'mcp' | 'sse' | 'messages', request: IncomingMessage, response: ServerResponse) {
    if (allowedHosts && !allowedHosts.includes(request.headers.host ?? '')) {
      return sendJsonRpcError(response, 403, REFUSED, 'Forbidden: Host header not allowed');
    }
    const identity = await authenticate(request);
    if (identity === undefined) {
      log('request.unauthenticated');
      return sendJsonRpcError(response, 401, REFUSED, 'Unauthorized');
    }
    if (closing) return sendJsonRpcError(response, 503, REFUSED, 'The bridge is shutting down');
    const isStream = request.method === 'GET';
    if (!isStream && activeRequests >= limits.maxConcurrentRequests) {
      log('request.refused', { userKey: identity.userKey, reason: 'too many concurrent requests' });
      response.setHeader('retry-after', '1');
      return sendJsonRpcError(
        response,
        503,
        REFUSED,
        `The bridge is busy: more than ${limits.maxConcurrentRequests} requests at once`,
      );
    }
    const theirs = activeByUser.get(identity.userKey) ?? 0;
    if (!isStream && theirs >= limits.maxConcurrentRequestsPerUser) {
      log('request.refused', { userKey: identity.userKey, reason: 'too many concurrent requests of this user' });
      response.setHeader('retry-after', '1');
      return sendJsonRpcError(
        response,
        429,
        REFUSED,
        `Too many requests at once: you already have ${theirs} in flight (at most ${limits.maxConcurrentRequestsPerUser})`,
      );
    }
    if (!isStream) {
      activeRequests += 1;
      activeByUser.set(identity.userKey, theirs + 1);
    } else logStreamEnd(route, request, response, identity);
    try {
      if (route === 'mcp') return await handleMcp(routes, request, response, identity);
      if (route === 'sse' && request.method === 'GET') return await handleSseStream(routes, response, identity);
      if (route === 'messages' && request.method === 'POST')
        return await handleSseMessage(routes, request, response, identity);
      sendJsonRpcError(response, 405, REFUSED, 'Method not allowed');
    } finally {
      if (!isStream) {
        activeRequests -= 1;
        const left = (activeByUser.get(identity.userKey) ?? 1) - 1;
        if (left === 0) activeByUser.delete(identity.userKey);
        else activeByUser.set(identity.userKey, left);
      }
    }
  }

  /**
   * Logs when an event stream (a GET that was answered 200) ends, and how long it was open: an open
   * stream is a request in flight, which keeps a container from sleeping, so the operator sees who
   * held one and for how long.
   */
  function logStreamEnd(route: string, request: IncomingMessage, response: ServerResponse, identity: BridgeIdentity) {
    const opened = Date.now();
    response.once('close', () => {
      if (response.statusCode !== 200) return;
      log('stream.closed', {
        route,
        userKey: identity.userKey,
        sessionId: request.headers['mcp-session-id'],
        durationMs: Date.now() - opened,
      });
    });
  }

  async function handle(request: IncomingMessage, response: ServerResponse) {
    const path = (request.url ?? '/').split('?', 1)[0] ?? '/';
    try {
      if (path === '/mcp') return await handleMcpRoute('mcp', request, response);
      if (SSE_STREAM_PATHS.has(path)) return await handleMcpRoute('sse', request, response);
      if (path === SSE_MESSAGES_PATH) return await handleMcpRoute('messages', request, response);
      if (path === '/healthz' && request.method === 'GET') {
        return sendJson(response, closing ? 503 : 200, {
          status: closing ? 'draining' : 'ok',
          sessions: sessions.size,
          children: slots.used,
        });
      }
      sendJson(response, 404, { error: 'not found' });
    } catch (error) {
      log('bridge.error', { error: (error as Error).message });
      if (!response.headersSent) sendJsonRpcError(response, 500, ErrorCode.InternalError, 'Internal error');
      else response.destroy();
    }
  }

  const server = createServer((request, response) => void handle(request, response));
  server.listen(options.port ?? DEFAULT_PORT, host);
  await once(server, 'listening');
  server.on('error', (error) => log('bridge.error', { error: error.message }));
  const { port } = server.address() as AddressInfo;
  if (isLoopback(host)) allowedHosts = loopbackHostHeaders(port);
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  log('bridge.listening', { url, command: command[0] });

  const reaper = setInterval(() => sessions.endIdle(), Math.min(limits.idleMs, 60_000));
  reaper.unref();

  const endEverything = () => Promise.all([sessions.endAll('bridge-closing'), userChildren.close()]);

  /** Waits until no request is in flight, or the drain time is over. */
  async function drain(): Promise<void> {
    const deadline = Date.now() + limits.drainMs;
    const busy = () => activeRequests > 0 || sessions.busy();
    if (busy()) log('bridge.draining', { activeRequests, drainMs: limits.drainMs });
    while (busy() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  }

  async function close(): Promise<void> {
    clearInterval(reaper);
    await drain();
    const serverClosed = new Promise((resolve) => server.close(resolve));
    await endEverything();
    // The streams of ended sessions are finished; what is left is idle or still sending a request.
    server.closeAllConnections();
    await serverClosed;
    // An initialize that was already being read may have opened a session meanwhile.
    await endEverything();
    log('bridge.closed');
  }

  return {
    url,
    port,
    sessions: () => sessions.info(),
    sharedChildren: () => userChildren.pids(),
    close: () => (closing ??= close()),
  };
}

/**
 * On a loopback address only loopback Host headers are accepted: a web page that rebinds its own
 * DNS name to 127.0.0.1 must not reach the local MCP server (DNS rebinding).
 */
function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

function loopbackHostHeaders(port: number): string[] {
  return [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`];
}
