/**
 * The answer when a call needs approval and the gateway cannot ask for it: the call does not run,
 * and the error says why and what would work (docs/clients.md lists the clients that can confirm).
 */
import { ERROR_CODES } from '../json-rpc.ts';
import { auditWithout } from './approval-audit.ts';
import { callError, type ApprovalSettings } from './approval-call.ts';
import type { ApprovalCall } from './approval-step.ts';

/** Why the gateway could not ask. */
export type Unavailable =
  /** A self-confirmation, and the client declared no elicitation (or no mode the gateway can use). */
  | 'no-elicitation'
  /** A 2025 self-confirmation from a request without an MCP session: what the client declared is unknown. */
  | 'no-session'
  /** The old HTTP+SSE transport answers on a separate stream the gateway cannot write to. */
  | 'legacy-sse'
  /** The call came in a batch; a call that waits must come alone. */
  | 'batch'
  /** The Worker has no approval desk binding. */
  | 'no-desk'
  /** The desk refused to hold another approval for this person. */
  | 'desk-refused';

/**
 * Refuses the call with the reason in words, and records it (`approval_unavailable`).
 *
 * @example
 * ```ts
 * if (!ask) return unavailable(call, 'no-elicitation', settings);
 * ```
 */
export function unavailable(
  call: ApprovalCall,
  why: Unavailable,
  settings: Pick<ApprovalSettings, 'publicUrl'>,
  detail?: string,
): Response {
  const { requirement, tool } = call;
  const needs =
    'self' in requirement.by
      ? `needs your confirmation (rule "${requirement.rule}")`
      : `needs approval by someone in the group "${requirement.by.group}" (rule "${requirement.rule}")`;
  const reasons: Record<Unavailable, string> = {
    'no-elicitation':
      'this client did not declare MCP elicitation, so the gateway cannot ask you. Use a client that can answer elicitation requests (form or URL mode; see docs/clients.md), or ask for the rule to name an approving group instead',
    'no-session':
      'this request belongs to no MCP session, so the gateway cannot know whether your client can be asked. Connect with a session (any 2025 client that sends initialize) or with the 2026-07-28 revision',
    'legacy-sse': `the old HTTP+SSE transport cannot carry the question. Connect to ${settings.publicUrl}/mcp with Streamable HTTP instead`,
    batch: 'a call that waits for approval must be sent on its own, not in a JSON-RPC batch',
    'no-desk':
      'this gateway has no approval desk configured (the APPROVAL_DESK Durable Object binding), so nobody can approve it',
    'desk-refused': detail ?? 'the approval could not be held',
  };
  const message = `Not run: the tool "${tool}" ${needs}, but ${reasons[why]}.`;
  call.record({
    outcome: 'approval_unavailable',
    errorCode: ERROR_CODES.forbiddenByPolicy,
    status: 200,
    approval: auditWithout(requirement, 'unavailable', why),
  });
  return Response.json(
    callError(call, ERROR_CODES.forbiddenByPolicy, message, {
      approval: 'unavailable',
      reason: why,
      rule: requirement.rule,
    }),
  );
}
