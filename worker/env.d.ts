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
      /** `name` (default), `id` or `email`: the field of a group object in the id_token's `groups` claim that tool policies match. */
      ACCESS_GROUPS_FIELD?: string;
      /** `required` (default) or `if-present`: whether an Access id_token without the sign-in's nonce is refused. */
      ACCESS_NONCE?: string;
      /** Where MCP traffic goes when it is not a container: the bridge's `/mcp` URL. */
      UPSTREAM_URL?: string;
      /** The per-user MCP server containers (`worker/src/container/`); used when `UPSTREAM_URL` is unset. */
      MCP_CONTAINER?: DurableObjectNamespace<import('./src/container/mcp-container.ts').McpContainer>;
      /** `user` (default) or `tenant`: one container per user, or per email domain. */
      MCP_CONTAINER_SCOPE?: string;
      /** Idle time before a container sleeps, e.g. `15m`. */
      MCP_CONTAINER_SLEEP_AFTER?: string;
      /** Comma-separated hosts the stdio server may reach (internet is otherwise off). */
      MCP_CONTAINER_ALLOWED_HOSTS?: string;
      /** Comma-separated names of Worker secrets passed to the stdio server as its environment. */
      MCP_CONTAINER_SECRET_NAMES?: string;
      /** `1`: one stdio server per user for all their sessions (servers safe to share only). */
      MCP_CONTAINER_SHARED_CHILD?: string;
      /** `1`: the stdio server gets MCP_USER_KEY, MCP_USER_EMAIL, MCP_USER_GROUPS. */
      MCP_CONTAINER_USER_ENV?: string;
      /** Secret (32+ chars) that signs the identity header toward the MCP server; its own key, shared with the bridge only. */
      IDENTITY_SIGNING_KEY: string;
      /** Secret (32+ chars) that signs the "remember this client" consent cookie. */
      COOKIE_SIGNING_KEY: string;
      /** Optional: comma-separated browser origins allowed on `/mcp` besides the Worker's own. */
      ALLOWED_ORIGINS?: string;
      /** Optional: comma-separated host names DCR redirect URIs must use (loopback is always allowed). */
      REDIRECT_HOST_ALLOWLIST?: string;
      /** Optional secret (32+ chars) for the operator routes under `/admin/`; unset turns them off. */
      ADMIN_TOKEN?: string;
      /** Where calls wait for a person (worker/src/approvals/): one desk per approving group and per person. */
      APPROVAL_DESK?: DurableObjectNamespace<import('./src/approvals/approval-desk.ts').ApprovalDesk>;
      /** How long a call waits for a confirmation or an approval, e.g. `5m` (default), between 1s and 1h. */
      APPROVAL_WAIT?: string;
      /** Optional: `allow` lets Client ID Metadata Documents live on loopback (local stack and tests only); unset refuses. */
      CLIENT_METADATA_LOOPBACK?: string;
      /** Optional: `hide` (default) or `warn`, what the gate does with a definition that differs from its pin. */
      DEFINITION_DRIFT?: string;
      /** Counts tool calls for the rate limits of policies/tools.yaml, one object per person (`gate/rate-limit/`). */
      TOOL_RATE_LIMITER?: DurableObjectNamespace<
        import('./src/mcp/gate/rate-limit/tool-rate-limiter.ts').ToolRateLimiter
      >;
      /** Optional Workers Rate Limiting binding: dynamic client registrations per client IP. */
      REGISTRATION_RATE_LIMITER?: RateLimit;
    }
  }
}
