/**
 * The bridge: MCP Streamable HTTP in, stdio MCP server out, one child process per MCP session.
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
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { ErrorCode } from '@modelcontextprotocol/sdk/types.js';
import { McpSession } from './mcp-session.ts';

/** The caller of a request, as vouched for by the `authenticate` hook. */
export interface BridgeIdentity {
  /** Stable key of the user; a session only answers the user that opened it. */
  userKey: string;
  email?: string;
  groups?: string[];
}

/** Options of {@link startBridge}. */
export interface BridgeOptions {
  /** The stdio MCP server to run for each session: program and arguments (no shell). */
  command: string[];
  /** TCP port; default 8790, 0 picks a free one. */
  port?: number;
  /** Address to listen on; default 127.0.0.1. */
  host?: string;
  /** Extra environment for the stdio server, on top of a minimal inherited set (PATH, HOME, ...). */
  env?: Record<string, string>;
  /**
   * Decides who is calling; `undefined` refuses the request with 401 (return it for bad input rather
   * than throw). Asked for every `/mcp` request, not for `/healthz`. The default accepts everyone as
   * one anonymous user (the Worker-signed identity header replaces it in a later issue).
   */
  authenticate?: (request: IncomingMessage) => BridgeIdentity | undefined;
  /** Receives one record per event; default: one JSON line on stdout. Records never hold request content. */
  logger?: (record: object) => void;
}

/** What a running session looks like from outside, for tests and operators. */
export interface BridgeSessionInfo {
  id: string;
  userKey: string;
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
  /** Ends every session, stops every child process and closes the server. */
  close(): Promise<void>;
}

export const DEFAULT_PORT = 8790;
export const DEFAULT_HOST = '127.0.0.1';
/** Largest accepted request body; larger ones get 413. */
export const MAX_REQUEST_BODY_BYTES = 1024 * 1024;

const ANONYMOUS: BridgeIdentity = { userKey: 'anonymous' };
/** JSON-RPC error codes as the SDK transport uses them: a refused request, an unknown session. */
const REFUSED = -32000;
const SESSION_NOT_FOUND = -32001;

/**
 * Starts the bridge and resolves once it listens. Rejects with the listen error (for example
 * `EADDRINUSE`) when it cannot.
 */
export async function startBridge(options: BridgeOptions): Promise<RunningBridge> {
  const { command, env, authenticate = () => ANONYMOUS } = options;
  if (!command[0]) throw new Error('command must name the MCP server program');
  const host = options.host ?? DEFAULT_HOST;
  const logger = options.logger ?? ((record: object) => console.log(JSON.stringify(record)));
  const log = (event: string, fields: object = {}) => logger({ time: new Date().toISOString(), event, ...fields });
  const sessions = new Map<string, McpSession>();
  let allowedHosts: string[] | undefined;
  let closing: Promise<void> | undefined;

  /** A request without a session id: an `initialize` opens a session, the transport refuses the rest. */
  async function handleWithoutSession(request: IncomingMessage, response: ServerResponse, identity: BridgeIdentity) {
    const http: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: randomUUID,
      maxRequestBodySize: MAX_REQUEST_BODY_BYTES,
      enableDnsRebindingProtection: allowedHosts !== undefined,
      allowedHosts,
      onsessioninitialized: (sessionId) => {
        const session = new McpSession({
          id: sessionId,
          userKey: identity.userKey,
          http,
          command,
          env,
          log,
          onEnded: () => sessions.delete(sessionId),
        });
        sessions.set(sessionId, session);
        log('session.opened', { sessionId, userKey: identity.userKey });
      },
    });
    http.onerror = (error) => log('request.refused', { sessionId: http.sessionId, reason: error.message });
    await http.handleRequest(request, response);
  }

  async function handleMcp(request: IncomingMessage, response: ServerResponse) {
    const identity = authenticate(request);
    if (identity === undefined) {
      log('request.unauthenticated');
      return sendJsonRpcError(response, 401, REFUSED, 'Unauthorized');
    }
    if (closing) return sendJsonRpcError(response, 503, REFUSED, 'The bridge is shutting down');
    const sessionId = request.headers['mcp-session-id'];
    if (sessionId === undefined) return handleWithoutSession(request, response, identity);
    const session = typeof sessionId === 'string' ? sessions.get(sessionId) : undefined;
    // Another user's session id finds nothing, exactly like an unknown one.
    if (session === undefined || session.userKey !== identity.userKey) {
      return sendJsonRpcError(response, 404, SESSION_NOT_FOUND, 'Session not found');
    }
    await session.handleRequest(request, response);
  }

  async function handle(request: IncomingMessage, response: ServerResponse) {
    const path = (request.url ?? '/').split('?', 1)[0];
    try {
      if (path === '/mcp') return await handleMcp(request, response);
      if (path === '/healthz' && request.method === 'GET') {
        return sendJson(response, 200, { status: 'ok', sessions: sessions.size });
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

  const endAllSessions = () => Promise.all([...sessions.values()].map((session) => session.end('bridge-closing')));

  async function close(): Promise<void> {
    const serverClosed = new Promise((resolve) => server.close(resolve));
    await endAllSessions();
    // The streams of ended sessions are finished; what is left is idle or still sending a request.
    server.closeAllConnections();
    await serverClosed;
    // An initialize that was already being read may have opened a session meanwhile.
    await endAllSessions();
    log('bridge.closed');
  }

  return {
    url,
    port,
    sessions: () =>
      [...sessions.values()].map((session) => ({ id: session.id, userKey: session.userKey, pid: session.serverPid })),
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
