/**
 * How the bridge answers over HTTP when it refuses or fails a request itself (before any stdio
 * server is involved): a JSON-RPC error body with the status that says why, as the MCP SDK's
 * transports answer theirs, so a client sees one shape whichever part refused. Also the one
 * bounded, typed read of a POST body that every route shares.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ErrorCode } from '@modelcontextprotocol/sdk/types.js';
import { readBoundedBody } from './node-web.ts';

/** JSON-RPC error codes as the SDK transport uses them: a refused request, an unknown session. */
export const REFUSED = -32000;
export const SESSION_NOT_FOUND = -32001;

export function sendJson(response: ServerResponse, status: number, body: object): void {
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

export function sendJsonRpcError(response: ServerResponse, status: number, code: number, message: string): void {
  sendJson(response, status, { jsonrpc: '2.0', error: { code, message }, id: null });
}

/**
 * Reads a POST body of at most `maxBytes` and parses it as JSON. When it cannot (wrong media type,
 * too large, not JSON) it answers the refusal itself and resolves `undefined`.
 *
 * @example
 * ```ts
 * const body = await readJsonBody(request, response, 4 * 1024 * 1024);
 * if (body === undefined) return; // already answered 415, 413 or 400
 * ```
 */
export async function readJsonBody(
  request: IncomingMessage,
  response: ServerResponse,
  maxBytes: number,
): Promise<{ raw: Buffer; parsed: unknown } | undefined> {
  const contentType = request.headers['content-type'] ?? '';
  if (!/^application\/json\s*(;|$)/i.test(contentType)) {
    sendJsonRpcError(response, 415, REFUSED, 'Unsupported Media Type: Content-Type must be application/json');
    return undefined;
  }
  const raw = await readBoundedBody(request, maxBytes);
  if (raw === undefined) {
    sendJsonRpcError(response, 413, REFUSED, `Request body larger than ${maxBytes} bytes`);
    return undefined;
  }
  try {
    return { raw, parsed: JSON.parse(raw.toString('utf8')) };
  } catch {
    sendJsonRpcError(response, 400, ErrorCode.ParseError, 'Parse error: the body is not JSON');
    return undefined;
  }
}
