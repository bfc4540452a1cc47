/**
 * `/mcp`, where both Streamable HTTP revisions arrive: a request with an `Mcp-Session-Id` goes to
 * its 2025 session (relayed raw to that session's stdio server); a 2026-07-28 request (stateless,
 * no `initialize`) goes to the user's `ModernEndpoint`; any other request is a 2025 one without
 * a session, where an `initialize` opens a session and the SDK transport refuses the rest.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isLegacyRequest } from '@modelcontextprotocol/server';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { BridgeLimits } from './bridge-limits.ts';
import type { BridgeIdentity } from './bridge.ts';
import { readJsonBody, sendJsonRpcError, SESSION_NOT_FOUND } from './json-rpc-http.ts';
import { sendWebResponse, webRequest } from './node-web.ts';
import { SESSION_KEEP_ALIVE_MS, SessionHttpTransport } from './session-http-transport.ts';
import type { SessionRegistry } from './session-registry.ts';
import type { UserChildren } from './user-children.ts';

/** What the `/mcp` route needs from the bridge. */
export interface McpRouteContext {
  limits: BridgeLimits;
  log: (event: string, fields?: object) => void;
  sessions: SessionRegistry;
  userChildren: UserChildren;
  /** Host headers accepted (DNS rebinding), or `undefined` for any; known once the bridge listens. */
  allowedHosts: () => string[] | undefined;
}

/**
 * Serves one request to `/mcp` for an authenticated caller.
 *
 * @example
 * ```ts
 * if (path === '/mcp') await handleMcp(context, request, response, identity);
 * ```
 */
export async function handleMcp(
  context: McpRouteContext,
  request: IncomingMessage,
  response: ServerResponse,
  identity: BridgeIdentity,
): Promise<void> {
  const body =
    request.method === 'POST' ? await readJsonBody(request, response, context.limits.maxRequestBodyBytes) : undefined;
  if (request.method === 'POST' && body === undefined) return;
  const sessionId = request.headers['mcp-session-id'];
  if (sessionId !== undefined) {
    const open = context.sessions.find(sessionId, identity, 'streamable');
    if (!open) return sendJsonRpcError(response, 404, SESSION_NOT_FOUND, 'Session not found');
    open.session.lastActivity = Date.now();
    if (request.method === 'GET') {
      // A client listening on its GET stream: the session is reclaimed only when no quieter one is idle.
      open.session.openStreams += 1;
      response.once('close', () => {
        open.session.openStreams -= 1;
        open.session.lastActivity = Date.now();
      });
    }
    return open.transport.handleRequest(request, response, body?.parsed);
  }
  if (body !== undefined && !(await isLegacyRequest(webRequest(request, body.raw), body.parsed))) {
    const answer = await context.userChildren.of(identity).endpoint.fetch(webRequest(request, body.raw));
    return sendWebResponse(answer, response);
  }
  return handleWithoutSession(context, request, response, identity, body?.parsed);
}

/** A 2025 request without a session id: an `initialize` opens a session, the transport refuses the rest. */
async function handleWithoutSession(
  context: McpRouteContext,
  request: IncomingMessage,
  response: ServerResponse,
  identity: BridgeIdentity,
  body: unknown,
): Promise<void> {
  const allowedHosts = context.allowedHosts();
  const http: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
    sessionIdGenerator: randomUUID,
    keepAliveMs: SESSION_KEEP_ALIVE_MS,
    maxRequestBodySize: context.limits.maxRequestBodyBytes,
    enableDnsRebindingProtection: allowedHosts !== undefined,
    allowedHosts,
    onsessioninitialized: (sessionId) =>
      context.sessions.open(sessionId, identity, {
        kind: 'streamable',
        transport: new SessionHttpTransport(http, sessionId),
      }),
  });
  http.onerror = (error) => context.log('request.refused', { sessionId: http.sessionId, reason: error.message });
  await http.handleRequest(request, response, body);
}
