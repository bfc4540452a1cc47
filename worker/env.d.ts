// The Worker's bindings. Names are a contract with infra/ (Pulumi bindings),
// worker/wrangler.jsonc (local vars) and dev/ (which writes .dev.vars).
import type { OAuthHelpers } from '@cloudflare/workers-oauth-provider';

declare global {
  namespace Cloudflare {
    interface Env {
      /** KV for the OAuth provider: clients, grants, tokens (hashed), consent and state records. */
      OAUTH_KV: KVNamespace;
      /** Injected by OAuthProvider into the default handler. */
      OAUTH_PROVIDER: OAuthHelpers;
      /** Public origin of this Worker, e.g. `https://mcp.example.com` (no trailing slash). */
      PUBLIC_URL: string;
      /** Access for SaaS OIDC issuer: `https://<team>.cloudflareaccess.com/cdn-cgi/access/sso/oidc/<client_id>`. */
      ACCESS_ISSUER: string;
      ACCESS_CLIENT_ID: string;
      ACCESS_CLIENT_SECRET: string;
      ACCESS_AUTHORIZATION_URL: string;
      ACCESS_TOKEN_URL: string;
      ACCESS_JWKS_URL: string;
      /** Where MCP traffic goes when it is not a container: the bridge's `/mcp` URL. */
      UPSTREAM_URL?: string;
    }
  }
}

export {};
