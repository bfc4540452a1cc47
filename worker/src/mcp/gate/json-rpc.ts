/** A JSON-RPC 2.0 message as the gateway sees it: a request, a notification or a response. */
export interface JsonRpcMessage {
  jsonrpc: '2.0';
  id?: string | number | null;
  method?: string;
  params?: unknown;
  result?: unknown;
  error?: unknown;
}

/** A request or notification: it has a method. Responses (from the client to server requests) do not. */
export function isCall(message: JsonRpcMessage): message is JsonRpcMessage & { method: string } {
  return typeof message.method === 'string';
}

/**
 * A JSON-RPC error answer. Used for refusals before anything reaches the server, so
 * `id` is the request's id when known and `null` otherwise.
 *
 * @example
 * ```ts
 * return jsonRpcErrorResponse(413, -32600, 'The request body is larger than 4 MiB');
 * ```
 */
export function jsonRpcErrorResponse(
  status: number,
  code: number,
  message: string,
  id: JsonRpcMessage['id'] = null,
  data?: unknown,
): Response {
  const error = data === undefined ? { code, message } : { code, message, data };
  return Response.json({ jsonrpc: '2.0', id, error }, { status });
}

/** JSON-RPC and MCP error codes the gate answers with. */
export const ERROR_CODES = {
  parseError: -32700,
  invalidRequest: -32600,
  /** A `requestState` the gateway minted that is forged, expired, for another call, or used already. */
  invalidParams: -32602,
  /** MCP 2026-07-28: `Mcp-Method` / `Mcp-Name` disagree with the body (HTTP 400). */
  headerMismatch: -32020,
  /** Refused by the tool policy (implementation-defined server error range). */
  forbiddenByPolicy: -32003,
  /** Not run: the caller declined, or an approver denied, the approval a rule asks for. */
  approvalDeclined: -32004,
  /** Not run: nobody decided the approval a rule asks for within the wait. */
  approvalExpired: -32008,
  /** Over a rate limit of the tool policy; `data.retryAfterSeconds` says when to retry. */
  rateLimited: -32029,
} as const;
