/**
 * The Worker's `/mcp` route, the path every MCP call takes once its token is valid, written as
 * named steps in the order the policy needs them.
 */
import type { OAuthResourceAuth } from '@cloudflare/workers-oauth-provider';
import { invalidTokenResponse } from '../access/invalid-token.ts';
import { grantRevoked } from '../admin/revocation-mark.ts';
import type { UserProps } from '../config.ts';
import { readConfig } from '../config.ts';
import { ApprovalDesks } from '../approvals/approval-desks.ts';
import { isNativeToolsRequest } from '../native/native-tools-path.ts';
import { checkOrigin } from './check-origin.ts';
import { revocableUpstream } from './end-on-revocation.ts';
import type { ApprovalSettings } from './gate/approval/approval-call.ts';
import { gateApprovals } from './gate/approval/gate-approvals.ts';
import { definitionPins } from './gate/definition-pins.ts';
import { DefinitionLedger } from './gate/drift/definition-ledger.ts';
import { identityResponse } from './identity-route.ts';
import { runPolicyGate } from './gate/policy-gate.ts';
import { durableObjectLimiter } from './gate/rate-limit/tool-rate-limiter.ts';
import { toolPolicies } from './gate/tool-policies.ts';
import { selectUpstream } from './select-upstream.ts';
import { jsonRpcError } from './upstream.ts';

/** What each MCP session's server lists, as this isolate has seen it (gate/drift/definition-ledger.ts). */
const definitionLedger = new DefinitionLedger();

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
      // Native tools are this Worker's own code, reviewed as code: pins are for the server behind it.
      ...(isNativeToolsRequest(request)
        ? {}
        : { definitions: { pins: definitionPins, mode: config.definitionDrift, ledger: definitionLedger } }),
      rateLimiter: env.TOOL_RATE_LIMITER ? durableObjectLimiter(env.TOOL_RATE_LIMITER) : undefined,
      upstream: watched,
      approvals: gateApprovals(approvalSettings(env, config)),
    });
  },
};

/** A grant the mark stopped is deleted when next used, wherever a racing refresh wrote it back. */
async function forgetRevokedGrant(env: Cloudflare.Env, auth: OAuthResourceAuth | undefined): Promise<void> {
  const grantId = auth?.token.split(':')[1];
  if (!auth?.userId || !grantId) return;
  await env.OAUTH_PROVIDER.revokeGrant(grantId, auth.userId).catch(() => {});
}

/** What the approval step needs: the desks, the Worker-only key, the page's origin, the wait, client names. */
function approvalSettings(env: Cloudflare.Env, config: ReturnType<typeof readConfig>): ApprovalSettings {
  return {
    desks: env.APPROVAL_DESK ? new ApprovalDesks(env.APPROVAL_DESK) : undefined,
    secret: config.cookieSecret,
    publicUrl: config.publicUrl,
    waitMs: config.approvals.waitMs,
    clientName: async (clientId) =>
      clientId ? ((await env.OAUTH_PROVIDER.lookupClient(clientId).catch(() => null))?.clientName ?? null) : null,
  };
}
