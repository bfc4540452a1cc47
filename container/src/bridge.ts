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
 */
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isLegacyRequest } from '@modelcontextprotocol/server';
import { SSEServerTransport } from '@modelcontextprotocol/sdk/server/sse.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { ErrorCode } from '@modelcontextprotocol/sdk/types.js';
import { DEFAULT_LIMITS, type BridgeLimits } from './bridge-limits.ts';
import { ChildSlots } from './child-slots.ts';
import { ChildSupervisor } from './child-supervisor.ts';
import { McpSession } from './mcp-session.ts';
import { ModernEndpoint } from './modern-endpoint.ts';
import { SessionHttpTransport } from './session-http-transport.ts';
import { SharedChildSession } from './shared-child-session.ts';
import { readBoundedBody, sendWebResponse, webRequest } from './node-web.ts';

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

/** What a running session looks like from outside, for tests and operators. */
interface BridgeSessionInfo {
  id: string;
  userKey: string;
  /** `streamable` (2025 sessions) or `sse` (the old HTTP+SSE transport). */
  transport: 'streamable' | 'sse';
  /** Process id of the session's stdio server, once started. */
  pid: number | undefined;
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
/** JSON-RPC error codes as the SDK transport uses them: a refused request, an unknown session. */
const REFUSED = -32000;
const SESSION_NOT_FOUND = -32001;
/** What the bridge tells a stdio server it initializes itself that its clients can do. */
const BRIDGE_CLIENT_CAPABILITIES = { sampling: {}, elicitation: { form: {}, url: {} } };
/**
 * The old HTTP+SSE transport lives below the MCP endpoint (`GET /mcp/sse`, `POST /mcp/messages`): the
 * Worker only protects descendants of its MCP resource, and the SSE client posts to the path this
 * bridge announces, which is the same path on the gateway. `GET /sse` is kept for direct local use.
 */
const SSE_STREAM_PATHS = new Set(['/mcp/sse', '/sse']);
const SSE_MESSAGES_PATH = '/mcp/messages';

interface OpenSession {
  session: McpSession | SharedChildSession;
  transport: SessionHttpTransport | SSEServerTransport;
  kind: BridgeSessionInfo['transport'];
}

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
  const sessions = new Map<string, OpenSession>();
  const modernEndpoints = new Map<string, { endpoint: ModernEndpoint; supervisor: ChildSupervisor }>();
  const slots = new ChildSlots(limits.maxChildren);
  let activeRequests = 0;
  let allowedHosts: string[] | undefined;
  let closing: Promise<void> | undefined;

  const childEnv = (identity: BridgeIdentity) => ({ ...options.env, ...options.identityEnv?.(identity) });

  function openSession(
    id: string,
    identity: BridgeIdentity,
    transport: OpenSession['transport'],
    kind: OpenSession['kind'],
  ) {
    const session = options.shareChildPerUser
      ? new SharedChildSession({
          id,
          userKey: identity.userKey,
          http: transport,
          supervisor: userChild(identity).supervisor,
          requestTimeoutMs: limits.requestTimeoutMs,
          log,
          onEnded: () => sessions.delete(id),
        })
      : new McpSession({
          id,
          userKey: identity.userKey,
          http: transport,
          command,
          env: childEnv(identity),
          requestTimeoutMs: limits.requestTimeoutMs,
          maxResponseBytes: limits.maxResponseBytes,
          takeSlot: () => slots.take(),
          log,
          onEnded: () => sessions.delete(id),
        });
    sessions.set(id, { session, transport, kind });
    log('session.opened', {
      sessionId: id,
      userKey: identity.userKey,
      transport: kind,
      sharedChild: options.shareChildPerUser === true,
    });
  }

  /** A 2025 request without a session id: an `initialize` opens a session, the transport refuses the rest. */
  async function handleWithoutSession(
    request: IncomingMessage,
    response: ServerResponse,
    identity: BridgeIdentity,
    body: unknown,
  ) {
    const http: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: randomUUID,
      maxRequestBodySize: limits.maxRequestBodyBytes,
      enableDnsRebindingProtection: allowedHosts !== undefined,
      allowedHosts,
      onsessioninitialized: (sessionId) =>
        openSession(sessionId, identity, new SessionHttpTransport(http, sessionId), 'streamable'),
    });
    http.onerror = (error) => log('request.refused', { sessionId: http.sessionId, reason: error.message });
    await http.handleRequest(request, response, body);
  }

  /** The user's shared child (and their 2026-07-28 endpoint in front of it), created on first use. */
  function userChild(identity: BridgeIdentity): { endpoint: ModernEndpoint; supervisor: ChildSupervisor } {
    let entry = modernEndpoints.get(identity.userKey);
    if (!entry) {
      const label = { userKey: identity.userKey };
      const supervisor = new ChildSupervisor(
        {
          command,
          env: childEnv(identity),
          capabilities: BRIDGE_CLIENT_CAPABILITIES,
          initializeTimeoutMs: limits.requestTimeoutMs,
          maxResponseBytes: limits.maxResponseBytes,
          log: (event, fields) => log(event, { ...label, ...fields }),
        },
        limits,
        slots,
        label,
      );
      const endpoint = new ModernEndpoint(supervisor, {
        requestTimeoutMs: limits.requestTimeoutMs,
        log: (event, fields) => log(event, { ...label, ...fields }),
      });
      entry = { supervisor, endpoint };
      modernEndpoints.set(identity.userKey, entry);
    }
    return entry;
  }

  /** Reads a POST body within the bound; answers the refusal itself and resolves `undefined` when it cannot. */
  async function readJsonBody(
    request: IncomingMessage,
    response: ServerResponse,
  ): Promise<{ raw: Buffer; parsed: unknown } | undefined> {
    const contentType = request.headers['content-type'] ?? '';
    if (!/^application\/json\s*(;|$)/i.test(contentType)) {
      sendJsonRpcError(response, 415, REFUSED, 'Unsupported Media Type: Content-Type must be application/json');
      return undefined;
    }
    const raw = await readBoundedBody(request, limits.maxRequestBodyBytes);
    if (raw === undefined) {
      sendJsonRpcError(response, 413, REFUSED, `Request body larger than ${limits.maxRequestBodyBytes} bytes`);
      return undefined;
    }
    try {
      return { raw, parsed: JSON.parse(raw.toString('utf8')) };
    } catch {
      sendJsonRpcError(response, 400, ErrorCode.ParseError, 'Parse error: the body is not JSON');
      return undefined;
    }
  }

  function findSession(id: unknown, identity: BridgeIdentity, kind: OpenSession['kind']): OpenSession | undefined {
    const open = typeof id === 'string' ? sessions.get(id) : undefined;
    // Another user's session id finds nothing, exactly like an unknown one.
    return open && open.session.userKey === identity.userKey && open.kind === kind ? open : undefined;
  }

  async function handleMcp(request: IncomingMessage, response: ServerResponse, identity: BridgeIdentity) {
    const body = request.method === 'POST' ? await readJsonBody(request, response) : undefined;
    if (request.method === 'POST' && body === undefined) return;
    const sessionId = request.headers['mcp-session-id'];
    if (sessionId !== undefined) {
      const open = findSession(sessionId, identity, 'streamable');
      if (!open) return sendJsonRpcError(response, 404, SESSION_NOT_FOUND, 'Session not found');
      open.session.lastActivity = Date.now();
      return (open.transport as SessionHttpTransport).handleRequest(request, response, body?.parsed);
    }
    if (body !== undefined && !(await isLegacyRequest(webRequest(request, body.raw), body.parsed))) {
      return sendWebResponse(await userChild(identity).endpoint.fetch(webRequest(request, body.raw)), response);
    }
    return handleWithoutSession(request, response, identity, body?.parsed);
  }

  /** `GET /mcp/sse`: the old HTTP+SSE transport; its messages come to `POST /mcp/messages?sessionId=`. */
  async function handleSseStream(response: ServerResponse, identity: BridgeIdentity) {
    const transport = new SSEServerTransport(SSE_MESSAGES_PATH, response, {
      enableDnsRebindingProtection: allowedHosts !== undefined,
      allowedHosts,
    });
    openSession(transport.sessionId, identity, transport, 'sse');
    await transport.start();
    // A comment now and then: a proxy in between (the Worker) learns that its client left only when a
    // write fails, and only then cancels this stream, which ends the session and its child.
    const keepAlive = setInterval(() => response.write(': keepalive\n\n'), limits.sseKeepAliveMs);
    response.once('close', () => clearInterval(keepAlive));
  }

  async function handleSseMessage(request: IncomingMessage, response: ServerResponse, identity: BridgeIdentity) {
    const id = new URL(request.url ?? '/', 'http://bridge').searchParams.get('sessionId');
    const open = findSession(id, identity, 'sse');
    if (!open) return sendJsonRpcError(response, 404, SESSION_NOT_FOUND, 'Session not found');
    const body = await readJsonBody(request, response);
    if (body === undefined) return;
    open.session.lastActivity = Date.now();
    await (open.transport as SSEServerTransport).handlePostMessage(request, response, body.parsed);
  }

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
    if (!isStream) activeRequests += 1;
    try {
      if (route === 'mcp') return await handleMcp(request, response, identity);
      if (route === 'sse' && request.method === 'GET') return await handleSseStream(response, identity);
      if (route === 'messages' && request.method === 'POST') return await handleSseMessage(request, response, identity);
      sendJsonRpcError(response, 405, REFUSED, 'Method not allowed');
    } finally {
      if (!isStream) activeRequests -= 1;
    }
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

  const reaper = setInterval(
    () => {
      for (const { session } of sessions.values()) {
        if (session.pendingRequests === 0 && Date.now() - session.lastActivity > limits.idleMs)
          void session.end('idle');
      }
    },
    Math.min(limits.idleMs, 60_000),
  );
  reaper.unref();

  const endEverything = () =>
    Promise.all([
      ...[...sessions.values()].map(({ session }) => session.end('bridge-closing')),
      ...[...modernEndpoints.values()].map(async ({ endpoint, supervisor }) => {
        await endpoint.close();
        await supervisor.close();
      }),
    ]);

  /** Waits until no request is in flight, or the drain time is over. */
  async function drain(): Promise<void> {
    const deadline = Date.now() + limits.drainMs;
    const busy = () => activeRequests > 0 || [...sessions.values()].some(({ session }) => session.pendingRequests > 0);
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
    sessions: () =>
      [...sessions.values()].map(({ session, kind }) => ({
        id: session.id,
        userKey: session.userKey,
        transport: kind,
        pid: session.serverPid,
      })),
    sharedChildren: () =>
      Object.fromEntries([...modernEndpoints].map(([userKey, { supervisor }]) => [userKey, supervisor.pid])),
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

function sendJson(response: ServerResponse, status: number, body: object): void {
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

function sendJsonRpcError(response: ServerResponse, status: number, code: number, message: string): void {
  sendJson(response, status, { jsonrpc: '2.0', error: { code, message }, id: null });
}
