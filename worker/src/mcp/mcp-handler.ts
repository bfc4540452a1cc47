import type { OAuthResourceAuth } from '@cloudflare/workers-oauth-provider';
import { invalidTokenResponse } from '../access/invalid-token.ts';
import { grantRevoked } from '../admin/revocation-mark.ts';
import type { UserProps } from '../config.ts';
import { readConfig } from '../config.ts';
import { checkOrigin } from './check-origin.ts';
import { revocableUpstream } from './end-on-revocation.ts';
import { identityResponse } from './identity-route.ts';
import { runPolicyGate } from './gate/policy-gate.ts';
import { toolPolicies } from './gate/tool-policies.ts';
import { selectUpstream } from './select-upstream.ts';
import { jsonRpcError } from './upstream.ts';

/**
 * How often an open stream or call looks whether its person was revoked. Cheap: the mark's reads are
 * remembered for 5 s per isolate (admin/revocation-mark.ts), so this is mostly a memory lookup. Work
 * ends within this in the isolate that revoked, and within KV's propagation time and 5 s elsewhere.
 */
const REVOCATION_POLL_MS = 500;

/**
 * The OAuth provider's API handler for `/mcp`: it runs only for requests with a valid
 * access token bound to this resource, and `ctx.props` holds the user from the grant.
 * Each step of the request's way is a small named function; the order is the policy.
 */
export const mcpHandler: ExportedHandler<Cloudflare.Env> & {
  fetch: NonNullable<ExportedHandler<Cloudflare.Env>['fetch']>;
} = {
  async fetch(request, env, ctx) {
    const { props: user, auth } = ctx as ExecutionContext & { props: UserProps; auth?: OAuthResourceAuth };
    const config = readConfig(env);
    const refusedOrigin = checkOrigin(request, config);
    if (refusedOrigin) return refusedOrigin;
    const isRevoked = () => grantRevoked(env.OAUTH_KV, config.cookieSecret, user);
    if (await isRevoked()) {
      ctx.waitUntil(forgetRevokedGrant(env, auth));
      return invalidTokenResponse(config.publicUrl, 'The grant was revoked');
    }
    const identity = identityResponse(request, user);
    if (identity) return identity;
    const upstream = selectUpstream(request, env, config);
    if (!upstream) return jsonRpcError(503, -32000, 'No MCP server is configured for this gateway');
    const watched = revocableUpstream(upstream, {
      isRevoked,
      pollMs: REVOCATION_POLL_MS,
      revokedResponse: () => invalidTokenResponse(config.publicUrl, 'The grant was revoked'),
    });
    return runPolicyGate(request, {
      user,
      clientId: auth?.clientId ?? null,
      policies: toolPolicies,
      upstream: watched,
    });
  },
};

/** A grant the mark stopped is deleted when next used, wherever a racing refresh wrote it back. */
async function forgetRevokedGrant(env: Cloudflare.Env, auth: OAuthResourceAuth | undefined): Promise<void> {
  const grantId = auth?.token.split(':')[1];
  if (!auth?.userId || !grantId) return;
  await env.OAUTH_PROVIDER.revokeGrant(grantId, auth.userId).catch(() => {});
}
