import type { UserProps } from '../config.ts';

/**
 * Where an MCP request goes once it is authorized. Two implementations are planned:
 * a URL (local stack, tests, a server a team already runs) and the user's own
 * container (production).
 */
export interface Upstream {
  /** Forwards a request that the gateway has already authorized for `user`. */
  forward(request: Request, user: UserProps): Promise<Response>;
}

/**
 * Request headers an MCP server needs. Everything else (notably `Authorization` and
 * `Cookie`) is dropped: the client's token is for this gateway, never for the server.
 */
const forwardedRequestHeaders = [
  'accept',
  'content-type',
  'last-event-id',
  'mcp-method',
  'mcp-name',
  'mcp-protocol-version',
  'mcp-session-id',
];

/** Response headers passed back to the client; `Set-Cookie` and the rest stay behind. */
const forwardedResponseHeaders = ['cache-control', 'content-type', 'mcp-session-id', 'mcp-protocol-version'];

/** Builds the request the server sees: same method and body, only the allowed headers. */
export function upstreamRequest(request: Request, target: URL): Request {
  const headers = new Headers();
  for (const name of forwardedRequestHeaders) {
    const value = request.headers.get(name);
    if (value !== null) headers.set(name, value);
  }
  const hasBody = request.method !== 'GET' && request.method !== 'HEAD';
  return new Request(target, { method: request.method, headers, body: hasBody ? request.body : null, redirect: 'manual' });
}

/** Copies the server's response with only the allowed headers; bodies stream (SSE works). */
export function clientResponse(response: Response): Response {
  const headers = new Headers();
  for (const name of forwardedResponseHeaders) {
    const value = response.headers.get(name);
    if (value !== null) headers.set(name, value);
  }
  return new Response(response.body, { status: response.status, headers });
}

/**
 * An upstream reached by URL, e.g. the bridge at `http://localhost:8790/mcp`.
 *
 * @example
 * ```ts
 * const upstream = new UrlUpstream('http://localhost:8790/mcp');
 * return upstream.forward(request, ctx.props);
 * ```
 */
export class UrlUpstream implements Upstream {
  readonly #target: URL;

  constructor(target: string) {
    this.#target = new URL(target);
  }

  async forward(request: Request): Promise<Response> {
    try {
      return clientResponse(await fetch(upstreamRequest(request, this.#target)));
    } catch {
      return jsonRpcError(502, -32000, 'The MCP server is unavailable');
    }
  }
}

/** A JSON-RPC error response with no request id, for failures before the server answers. */
export function jsonRpcError(status: number, code: number, message: string): Response {
  return Response.json({ jsonrpc: '2.0', error: { code, message }, id: null }, { status });
}
