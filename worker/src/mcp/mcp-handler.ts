import type { UserProps } from '../config.ts';
import { readConfig } from '../config.ts';
import { jsonRpcError, UrlUpstream, type Upstream } from './upstream.ts';

/**
 * The OAuth provider's API handler for `/mcp`: it runs only for requests with a valid
 * access token bound to this resource, and `ctx.props` holds the user from the grant.
 */
export const mcpHandler: ExportedHandler<Cloudflare.Env> & { fetch: NonNullable<ExportedHandler<Cloudflare.Env>['fetch']> } = {
  async fetch(request, env, ctx) {
    const user = (ctx as ExecutionContext & { props: UserProps }).props;
    const { upstreamUrl } = readConfig(env);
    if (!upstreamUrl) return jsonRpcError(503, -32000, 'No MCP server is configured for this gateway');
    const upstream: Upstream = new UrlUpstream(upstreamUrl);
    return upstream.forward(request, user);
  },
};
