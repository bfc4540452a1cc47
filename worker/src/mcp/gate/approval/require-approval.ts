/**
 * The approval step of the policy gate (docs/policies.md, "Approvals"): a call an approve rule
 * matches runs only once its person confirms it or an approver of the named group approves it.
 * This picks how to ask, by the revision the client speaks; nothing reaches the server before the
 * desk says approved.
 */
import { isModernRequest, modernApproval } from './modern-approval.ts';
import { sessionApproval } from './session-approval.ts';
import { unavailable } from './unavailable.ts';
import type { ApprovalSettings } from './approval-call.ts';
import type { ApprovalCall } from './approval-step.ts';

/**
 * Asks for the call's approval and runs it once approved; answers the call's error otherwise.
 *
 * @example
 * ```ts
 * if (decision.approval) return requireApproval({ request, message, tool, requirement: decision.approval, … }, settings);
 * ```
 */
export function requireApproval(call: ApprovalCall, settings: ApprovalSettings): Promise<Response> {
  const { desks } = settings;
  if (!desks) return Promise.resolve(unavailable(call, 'no-desk', settings));
  // The old HTTP+SSE transport answers on its GET stream, never on the POST: there is no stream to ask on.
  if (new URL(call.request.url).pathname.endsWith('/messages'))
    return Promise.resolve(unavailable(call, 'legacy-sse', settings));
  if (isModernRequest(call.message)) return modernApproval(call, { ...settings, desks });
  return sessionApproval(call, { ...settings, desks });
}
