/**
 * What the Worker sends an MCP server and what it passes back (docs/security.md 10): only the headers
 * an MCP server needs, never the client's token or cookies, plus an identity the Worker signs for that
 * upstream alone; and the upstream reached by URL (the local stack, a server a team already runs).
 * The user's own container is the other upstream (container-upstream.ts).
 */
import { IDENTITY_HEADER } from '../../../container/src/identity-token.ts';
import type { UserProps } from '../config.ts';
import { reusableIdentityToken } from './identity-token-reuse.ts';
import { upstreamKey } from './upstream-keys.ts';

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

/**
 * `Mcp-Param-<name>` headers mirror tool arguments a server declared with `x-mcp-header`, so that
 * intermediaries can route on them; the 2026-07-28 transport requires intermediaries to forward
 * them, and the server to check them against the body (SEP-2243,
 * https://modelcontextprotocol.io/seps/2243-http-standardization). The gate decides on the body.
 */
const MIRRORED_PARAM_PREFIX = 'mcp-param-';
/** More mirrored parameters than any tool declares is not a tool call. */
const MAX_MIRRORED_PARAMS = 64;

/** Response headers passed back to the client; `Set-Cookie` and the rest stay behind. */
const forwardedResponseHeaders = ['cache-control', 'content-type', 'mcp-session-id', 'mcp-protocol-version'];

/**
 * The Worker-signed identity for one forwarded request: the user key (Access's stable `sub`),
 * email and groups, for this upstream only (`aud`), valid for a minute; the same token for up to 20 s of
 * back-to-back requests (identity-token-reuse.ts).
 *
 * @example
 * ```ts
 * const identity = await signedIdentity(user, await upstreamKey(env.IDENTITY_SIGNING_KEY, 'url:http://127.0.0.1:8790/mcp'), 'http://127.0.0.1:8790/mcp');
 * ```
 */
export function signedIdentity(user: UserProps, key: string, audience: string): Promise<string> {
  return reusableIdentityToken({ userKey: user.sub, email: user.email, groups: user.groups }, { key, audience });
}

/**
 * Builds the request the server sees: same method and body, only the allowed headers (and the
 * mirrored `Mcp-Param-*` ones), plus the signed identity (which replaces anything the client sent
 * under that name).
 */
export function upstreamRequest(request: Request, target: URL, identity: string): Request {
  const headers = new Headers();
  for (const name of forwardedRequestHeaders) {
    const value = request.headers.get(name);
    if (value !== null) headers.set(name, value);
  }
  let mirrored = 0;
  for (const [name, value] of request.headers) {
    if (name.startsWith(MIRRORED_PARAM_PREFIX) && ++mirrored <= MAX_MIRRORED_PARAMS) headers.set(name, value);
  }
  headers.set(IDENTITY_HEADER, identity);
  const hasBody = request.method !== 'GET' && request.method !== 'HEAD';
  return new Request(target, {
    method: request.method,
    headers,
    body: hasBody ? request.body : null,
    redirect: 'manual',
    // A revocation cuts the request (end-on-revocation.ts).
    signal: request.signal,
  });
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

/** Sub-paths of the MCP endpoint that serve the old HTTP+SSE transport (`GET …/sse`, `POST …/messages`). */
const legacySseSubPaths = new Set(['sse', 'messages']);

/**
 * Where on the upstream a request goes: the MCP endpoint, or for the old HTTP+SSE transport the same
 * sub-path (and `?sessionId=`) below it.
 *
 * @example
 * ```ts
 * upstreamTarget(new Request('https://gw/mcp/messages?sessionId=1'), new URL('http://bridge/mcp')).href; // 'http://bridge/mcp/messages?sessionId=1'
 * ```
 */
export function upstreamTarget(request: Request, mcpEndpoint: URL): URL {
  const { pathname, search } = new URL(request.url);
  const subPath = pathname.split('/').at(-1) ?? '';
  if (pathname.split('/').length < 3 || !legacySseSubPaths.has(subPath)) return mcpEndpoint;
  return new URL(`${mcpEndpoint.pathname.replace(/\/$/, '')}/${subPath}${search}`, mcpEndpoint);
}

/**
 * An upstream reached by URL, e.g. the bridge at `http://localhost:8790/mcp`. Its tokens are signed
 * with the key derived for `url:<that URL>` (`deriveUpstreamKey`), which is the key the bridge there
 * must be given, never the Worker's own.
 *
 * @example
 * ```ts
 * const upstream = new UrlUpstream('http://localhost:8790/mcp', config.identitySigningKey);
 * return upstream.forward(request, ctx.props);
 * ```
 */
export class UrlUpstream implements Upstream {
  readonly #target: URL;
  readonly #identitySigningKey: string;

  constructor(target: string, identitySigningKey: string) {
    this.#target = new URL(target);
    this.#identitySigningKey = identitySigningKey;
  }

  async forward(request: Request, user: UserProps): Promise<Response> {
    const key = await upstreamKey(this.#identitySigningKey, `url:${this.#target.href}`);
    const identity = await signedIdentity(user, key, this.#target.href);
    try {
      return clientResponse(await fetch(upstreamRequest(request, upstreamTarget(request, this.#target), identity)));
    } catch {
      return jsonRpcError(502, -32000, 'The MCP server is unavailable');
    }
  }
}

/** A JSON-RPC error response with no request id, for failures before the server answers. */
export function jsonRpcError(status: number, code: number, message: string): Response {
  return Response.json({ jsonrpc: '2.0', error: { code, message }, id: null }, { status });
}
