/**
 * A Worker of the shape of Cloudflare's Access MCP template: `OAuthProvider` in front of an
 * `McpAgent` (agents 0.32.0, deprecated but still shipped) with one `add` tool, and a minimal
 * Access sign-in handler (PKCE S256, its state kept in KV for ten minutes, as the template's
 * `createOAuthState` does). `npm run bench` bundles it the same way as our Worker to compare
 * sizes, and runs it under `wrangler dev` (`wrangler.jsonc`) as a row of its own; it is never
 * deployed. The template's own HTML helpers are left out, so the real template is a little
 * larger than this.
 */
import { type AuthRequest, type OAuthHelpers, OAuthProvider } from '@cloudflare/workers-oauth-provider';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { McpAgent } from 'agents/mcp';
import { env as moduleEnv } from 'cloudflare:workers';
import { z } from 'zod';

interface TemplateEnv {
  OAUTH_PROVIDER: OAuthHelpers;
  OAUTH_KV: KVNamespace;
  MCP_OBJECT: DurableObjectNamespace;
  /** Where the Worker answers, e.g. `http://localhost:8788`; the canonical resource is `<PUBLIC_URL>/mcp`. */
  PUBLIC_URL: string;
  ACCESS_CLIENT_ID: string;
  ACCESS_CLIENT_SECRET: string;
  ACCESS_AUTHORIZATION_URL: string;
  ACCESS_TOKEN_URL: string;
}

type Props = { email: string; sub: string };

/** What `/authorize` keeps in KV under the state it sends to Access. */
interface PendingSignIn {
  authRequest: AuthRequest;
  codeVerifier: string;
}

const STATE_TTL_SECONDS = 600;

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
    const callbackUrl = new URL('/callback', request.url).href;
    if (url.pathname === '/authorize') {
      const authRequest = await env.OAUTH_PROVIDER.parseAuthRequest(request);
      const state = crypto.randomUUID();
      const codeVerifier = base64Url(crypto.getRandomValues(new Uint8Array(32)));
      const pending: PendingSignIn = { authRequest, codeVerifier };
      await env.OAUTH_KV.put(`oauth:state:${state}`, JSON.stringify(pending), { expirationTtl: STATE_TTL_SECONDS });
      const upstream = new URL(env.ACCESS_AUTHORIZATION_URL);
      upstream.searchParams.set('client_id', env.ACCESS_CLIENT_ID);
      upstream.searchParams.set('redirect_uri', callbackUrl);
      upstream.searchParams.set('response_type', 'code');
      upstream.searchParams.set('scope', 'openid email profile');
      upstream.searchParams.set('state', state);
      upstream.searchParams.set(
        'code_challenge',
        base64Url(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(codeVerifier))),
      );
      upstream.searchParams.set('code_challenge_method', 'S256');
      return Response.redirect(upstream.href, 302);
    }
    if (url.pathname === '/callback') {
      const stateKey = `oauth:state:${url.searchParams.get('state') ?? ''}`;
      const pending = await env.OAUTH_KV.get<PendingSignIn>(stateKey, 'json');
      if (!pending) return new Response('Invalid or expired state', { status: 400 });
      await env.OAUTH_KV.delete(stateKey);
      const tokenResponse = await fetch(env.ACCESS_TOKEN_URL, {
        method: 'POST',
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          code: url.searchParams.get('code') ?? '',
          client_id: env.ACCESS_CLIENT_ID,
          client_secret: env.ACCESS_CLIENT_SECRET,
          redirect_uri: callbackUrl,
          code_verifier: pending.codeVerifier,
        }),
      });
      const { id_token } = await tokenResponse.json<{ id_token: string }>();
      const claims = JSON.parse(atob(id_token.split('.')[1]!.replaceAll('-', '+').replaceAll('_', '/'))) as Props;
      const { redirectTo } = await env.OAUTH_PROVIDER.completeAuthorization({
        request: pending.authRequest,
        userId: claims.sub,
        metadata: {},
        scope: pending.authRequest.scope,
        props: { email: claims.email, sub: claims.sub },
      });
      return Response.redirect(redirectTo, 302);
    }
    return new Response('Not found', { status: 404 });
  },
};

function base64Url(bytes: ArrayBuffer | Uint8Array): string {
  return btoa(String.fromCharCode(...new Uint8Array(bytes)))
    .replaceAll('+', '-')
    .replaceAll('/', '_')
    .replace(/=+$/, '');
}

export default new OAuthProvider({
  apiRoute: '/mcp',
  apiHandler: TemplateMcp.serve('/mcp'),
  defaultHandler: accessHandler as unknown as ExportedHandler,
  authorizeEndpoint: '/authorize',
  tokenEndpoint: '/token',
  clientRegistrationEndpoint: '/register',
  // The library (1.x) needs the canonical resource when it is built; `env` is readable at module scope.
  resourceMetadata: { resource: `${(moduleEnv as unknown as TemplateEnv).PUBLIC_URL}/mcp` },
});
