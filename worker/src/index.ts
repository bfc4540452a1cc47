/**
 * The secure-mcp Worker: an OAuth 2.1 authorization server for MCP clients that signs
 * people in through Cloudflare Access and forwards their MCP traffic upstream.
 *
 * `@cloudflare/workers-oauth-provider` serves discovery (RFC 8414, RFC 9728), dynamic
 * client registration, the token and revocation endpoints, and validates every token
 * on `/mcp`. This Worker adds what the library leaves to the application: the consent
 * page, the Access sign-in, and the MCP forwarding.
 */
import { OAuthError, OAuthProvider } from '@cloudflare/workers-oauth-provider';
import { refuseClientMetadataHost } from './access/client-metadata-host.ts';
import { refuseOversizedCredentials } from './access/credential-bounds.ts';
import { checkClientRegistration } from './access/registration-policy.ts';
import { limitRegistration } from './access/registration-rate-limit.ts';
import { logOAuthError } from './access/oauth-error-log.ts';
import { ACCESS_TOKEN_TTL_SECONDS, REFRESH_TOKEN_TTL_SECONDS } from './access/token-lifetimes.ts';
import { TokenRecordCache, withTokenRecordCache } from './access/token-record-cache.ts';
import { grantRevoked } from './admin/revocation-mark.ts';
import { ConfigError, readConfig, type UserProps, type WorkerConfig } from './config.ts';
import { defaultHandler } from './default-handler.ts';
import { drainingRequest } from './drain-request-body.ts';
import { mcpHandler } from './mcp/mcp-handler.ts';
import { GRANTED_SCOPES } from './scopes.ts';

export { McpContainer } from './container/mcp-container.ts';
// `@cloudflare/containers` routes a container's outbound HTTP through this entrypoint when egress
// rules apply (`allowedHosts`, which McpContainer always sets): `Container.applyOutboundInterception`
// throws at start when the Worker does not export it (node_modules/@cloudflare/containers/dist/lib/container.js).
export { ContainerProxy } from '@cloudflare/containers';
export { ToolRateLimiter } from './mcp/gate/rate-limit/tool-rate-limiter.ts';
export { ApprovalDesk } from './approvals/approval-desk.ts';

/** Dynamically registered clients that are not used for 30 days are forgotten. */
const CLIENT_REGISTRATION_TTL_SECONDS = 30 * 24 * 60 * 60;
/**
 * Access-token records read from KV are served from this isolate's memory for 5 s (see
 * `access/token-record-cache.ts` for what that trades); 1,000 records are about 1 MB.
 */
const tokenRecords = new TokenRecordCache({ ttlMs: 5_000, maxEntries: 1_000 });

/** The env the provider sees (its KV through the token-record cache), made once per `env` object: workerd reuses it. */
const providerEnvs = new WeakMap<Cloudflare.Env, Cloudflare.Env>();

function providerEnv(env: Cloudflare.Env): Cloudflare.Env {
  let seen = providerEnvs.get(env);
  if (!seen) {
    seen = { ...env, OAUTH_KV: withTokenRecordCache(env.OAUTH_KV, tokenRecords) };
    providerEnvs.set(env, seen);
  }
  return seen;
}

/**
 * Builds the provider for this Worker's public URL. The canonical resource is part of
 * the provider's construction, and the URL comes from `env`, so it is built on the
 * first request and reused for as long as the isolate lives.
 */
function createProvider(config: WorkerConfig): OAuthProvider {
  const { publicUrl, resource } = config;
  return new OAuthProvider<Cloudflare.Env>({
    apiRoute: '/mcp',
    apiHandler: mcpHandler,
    defaultHandler,
    authorizeEndpoint: '/authorize',
    tokenEndpoint: '/token',
    clientRegistrationEndpoint: '/register',
    scopesSupported: [...GRANTED_SCOPES],
    requiredScopes: [...GRANTED_SCOPES],
    accessTokenTTL: ACCESS_TOKEN_TTL_SECONDS,
    refreshTokenTTL: REFRESH_TOKEN_TTL_SECONDS,
    clientRegistrationTTL: CLIENT_REGISTRATION_TTL_SECONDS,
    // Stated although they are the library's defaults: these choices are part of our threat model.
    allowTokenExchangeGrant: false,
    allowPrivateUseRedirectUris: false,
    // Client ID Metadata Documents (MCP authorization 2025-11-25 and 2026-07-28, which deprecates
    // DCR in their favour): the library fetches and checks the document; access/client-metadata-host.ts
    // adds the address rule it leaves to us. DCR stays on for older clients.
    clientIdMetadataDocumentEnabled: true,
    clientRegistrationCallback: ({ clientMetadata }) =>
      checkClientRegistration(clientMetadata, { redirectHostAllowlist: config.redirectHostAllowlist }),
    // A revoked person's grant is refused at every code exchange and refresh, however the refresh
    // raced the revocation (admin/revocation-mark.ts); the provider then deletes the grant.
    tokenExchangeCallback: async ({ props, env }) => {
      if (await grantRevoked(env.OAUTH_KV, readConfig(env).cookieSecret, props as UserProps))
        throw new OAuthError('invalid_grant', { description: 'The grant was revoked' });
    },
    onError: logOAuthError,
    resourceMetadata: {
      resource,
      authorization_servers: [publicUrl],
      bearer_methods_supported: ['header'],
      resource_name: 'secure-mcp',
    },
  });
}

let provider: { publicUrl: string; instance: OAuthProvider } | undefined;

export default {
  async fetch(request, env, ctx) {
    let config;
    try {
      config = readConfig(env);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      console.error(JSON.stringify({ event: 'config_error', problems: error.problems }));
      return new Response(`${error.message}\n`, {
        status: 500,
        headers: { 'Content-Type': 'text/plain; charset=utf-8' },
      });
    }
    if (provider?.publicUrl !== config.publicUrl) {
      provider = { publicUrl: config.publicUrl, instance: createProvider(config) };
    }
    const { request: draining, finish } = drainingRequest(request);
    const checked = await refuseOversizedCredentials(draining, config.publicUrl);
    const response =
      checked.refused ??
      (await refuseClientMetadataHost(checked.request, { allowLoopback: config.clientMetadataLoopback })) ??
      (await limitRegistration(checked.request, env.REGISTRATION_RATE_LIMITER)) ??
      (await provider.instance.fetch(checked.request, providerEnv(env), ctx));
    await finish();
    return response;
  },
} satisfies ExportedHandler<Cloudflare.Env>;
