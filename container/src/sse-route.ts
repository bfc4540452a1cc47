/**
 * The old HTTP+SSE transport (MCP 2024-11-05), for clients that still speak it: `GET /mcp/sse`
 * opens a session and its event stream, and the client posts its messages to
 * `POST /mcp/messages?sessionId=…`. Both live below the MCP endpoint because the Worker only
 * protects descendants of its MCP resource, and the SSE client posts to the path this bridge
 * announces, which is the same path on the gateway. `GET /sse` is kept for direct local use.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { SSEServerTransport } from '@modelcontextprotocol/sdk/server/sse.js';
import type { BridgeLimits } from './bridge-limits.ts';
import type { BridgeIdentity } from './bridge.ts';
import { readJsonBody, sendJsonRpcError, SESSION_NOT_FOUND } from './json-rpc-http.ts';
import type { SessionRegistry } from './session-registry.ts';

export const SSE_STREAM_PATHS: ReadonlySet<string> = new Set(['/mcp/sse', '/sse']);
export const SSE_MESSAGES_PATH = '/mcp/messages';

/** What the SSE routes need from the bridge. */
export interface SseRouteContext {
  limits: BridgeLimits;
  sessions: SessionRegistry;
  /** Host headers accepted (DNS rebinding), or `undefined` for any; known once the bridge listens. */
  allowedHosts: () => string[] | undefined;
}

/**
 * `GET /mcp/sse`: opens a session whose messages come to {@link SSE_MESSAGES_PATH}.
 *
 * @example
 * ```ts
 * if (SSE_STREAM_PATHS.has(path) && request.method === 'GET') await handleSseStream(context, response, identity);
 * ```
 */
export async function handleSseStream(
  context: SseRouteContext,
  response: ServerResponse,
  identity: BridgeIdentity,
): Promise<void> {
  const allowedHosts = context.allowedHosts();
  const transport = new SSEServerTransport(SSE_MESSAGES_PATH, response, {
    enableDnsRebindingProtection: allowedHosts !== undefined,
    allowedHosts,
  });
  context.sessions.open(transport.sessionId, identity, { kind: 'sse', transport });
  await transport.start();
  // A comment now and then: a proxy in between (the Worker) learns that its client left only when a
  // write fails, and only then cancels this stream, which ends the session and its child.
  const keepAlive = setInterval(() => response.write(': keepalive\n\n'), context.limits.sseKeepAliveMs);
  response.once('close', () => clearInterval(keepAlive));
}

/**
 * `POST /mcp/messages?sessionId=…`: one client message to its SSE session.
 *
 * @example
 * ```ts
 * if (path === SSE_MESSAGES_PATH && request.method === 'POST') await handleSseMessage(context, request, response, identity);
 * ```
 */
export async function handleSseMessage(
  context: SseRouteContext,
  request: IncomingMessage,
  response: ServerResponse,
  identity: BridgeIdentity,
): Promise<void> {
  const id = new URL(request.url ?? '/', 'http://bridge').searchParams.get('sessionId');
  const open = context.sessions.find(id, identity, 'sse');
  if (!open) return sendJsonRpcError(response, 404, SESSION_NOT_FOUND, 'Session not found');
  const body = await readJsonBody(request, response, context.limits.maxRequestBodyBytes);
  if (body === undefined) return;
  open.session.lastActivity = Date.now();
  await open.transport.handlePostMessage(request, response, body.parsed);
}
