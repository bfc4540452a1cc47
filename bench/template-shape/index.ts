/**
 * A Worker of the shape of Cloudflare's Access MCP template: `OAuthProvider` in front of an
 * `McpAgent` (agents 0.32.0, deprecated but still shipped) with one `add` tool, and a minimal
 * Access sign-in handler. It exists only so `npm run bench` can bundle it the same way as our
 * Worker and compare sizes; it is never deployed. The template's own HTML helpers are left
 * out, so the real template is a little larger than this.
 */
import OAuthProvider, { type AuthRequest, type OAuthHelpers } from '@cloudflare/workers-oauth-provider';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { McpAgent } from 'agents/mcp';
import { z } from 'zod';

interface TemplateEnv {
  OAUTH_PROVIDER: OAuthHelpers;
  OAUTH_KV: KVNamespace;
  MCP_OBJECT: DurableObjectNamespace;
  ACCESS_CLIENT_ID: string;
  ACCESS_CLIENT_SECRET: string;
  ACCESS_AUTHORIZATION_URL: string;
  ACCESS_TOKEN_URL: string;
}

type Props = { email: string; sub: string };

export class TemplateMcp extends McpAgent<Cloudflare.Env, unknown, Props> {
  server = new McpServer({ name: 'template-shape', version: '1.0.0' });

  async init() {
    this.server.registerTool('add', { inputSchema: { a: z.number(), b: z.number() } }, async ({ a, b }) => ({
      content: [{ type: 'text', text: String(a + b) }],
    }));
  }
}

/** The template's Access handler, reduced to its two steps: send the user to Access, take them back. */
const accessHandler = {
  async fetch(request: Request, env: TemplateEnv): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname === '/authorize') {
      const authRequest = await env.OAUTH_PROVIDER.parseAuthRequest(request);
      const upstream = new URL(env.ACCESS_AUTHORIZATION_URL);
      upstream.searchParams.set('client_id', env.ACCESS_CLIENT_ID);
      upstream.searchParams.set('redirect_uri', new URL('/callback', request.url).href);
      upstream.searchParams.set('response_type', 'code');
      upstream.searchParams.set('scope', 'openid email profile');
      upstream.searchParams.set('state', btoa(JSON.stringify(authRequest)));
      return Response.redirect(upstream.href, 302);
    }
    if (url.pathname === '/callback') {
      const authRequest = JSON.parse(atob(url.searchParams.get('state') ?? '')) as AuthRequest;
      const tokenResponse = await fetch(env.ACCESS_TOKEN_URL, {
        method: 'POST',
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          code: url.searchParams.get('code') ?? '',
          client_id: env.ACCESS_CLIENT_ID,
          client_secret: env.ACCESS_CLIENT_SECRET,
          redirect_uri: new URL('/callback', request.url).href,
        }),
      });
      const { id_token } = (await tokenResponse.json()) as { id_token: string };
      const claims = JSON.parse(atob(id_token.split('.')[1]!.replaceAll('-', '+').replaceAll('_', '/'))) as Props;
      const { redirectTo } = await env.OAUTH_PROVIDER.completeAuthorization({
        request: authRequest,
        userId: claims.sub,
        metadata: {},
        scope: authRequest.scope,
        props: { email: claims.email, sub: claims.sub },
      });
      return Response.redirect(redirectTo, 302);
    }
    return new Response('Not found', { status: 404 });
  },
};

export default new OAuthProvider({
  apiRoute: '/mcp',
  apiHandler: TemplateMcp.serve('/mcp'),
  defaultHandler: accessHandler as unknown as ExportedHandler,
  authorizeEndpoint: '/authorize',
  tokenEndpoint: '/token',
  clientRegistrationEndpoint: '/register',
  resourceMetadata: { resource: 'http://localhost:8788/mcp' },
});
