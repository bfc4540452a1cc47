/**
 * The approval step as the gate sees it (`approval-step.ts`), built over this Worker's desks and
 * settings: what `mcp-handler.ts` hands `runPolicyGate`.
 */
import { auditOfApproval } from './approval-audit.ts';
import type { ApprovalSettings } from './approval-call.ts';
import type { GateApprovals } from './approval-step.ts';
import { withdrawCancelled } from './cancelled-calls.ts';
import { isGatewayAnswer, takeGatewayAnswers } from './gateway-answers.ts';
import { requireApproval } from './require-approval.ts';
import { rememberSessionElicitation } from './session-elicitation.ts';

/**
 * The gate's approval operations for these settings.
 *
 * @example
 * ```ts
 * return runPolicyGate(request, { user, clientId, policies, upstream, approvals: gateApprovals(settings) });
 * ```
 */
export function gateApprovals(settings: ApprovalSettings): GateApprovals {
  return {
    isGatewayAnswer,
    async takeGatewayAnswers(answers, caller) {
      const taken = await takeGatewayAnswers(answers, settings.desks, settings.secret, caller.sub);
      return taken.map(({ message, action, approval }) => ({
        message,
        approval: approval ? { ...auditOfApproval(approval), reason: `the client answered ${action}` } : undefined,
        tool: approval?.tool ?? null,
        argumentsDigest: approval?.argumentsDigest ?? null,
      }));
    },
    require: (call) => requireApproval(call, settings),
    async rememberSession(message, response, caller) {
      if (settings.desks) await rememberSessionElicitation(message, response, settings.desks, caller);
    },
    async withdrawCancelled(message, request, caller) {
      if (settings.desks)
        await withdrawCancelled(message, request.headers.get('mcp-session-id'), settings.desks, caller);
    },
  };
}
