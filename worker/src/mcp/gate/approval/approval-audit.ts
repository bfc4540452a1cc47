/**
 * The `approval` part of a call's audit record (docs/audit.md): which rule asked, who had to
 * decide, how the caller was asked, and how it ended, with the approver and the time when someone
 * approved. Built from the desk's record, never from anything the client sent.
 */
import type { ApprovalRequirement } from '../../../../../policies/model/approval.ts';
import { describeDecider } from '../../../../../policies/engine/approvals.ts';
import type { Approval, ApprovalStatus, AskMode, Grant } from '../../../approvals/approval-record.ts';

/** The approval part of an audit record. */
export interface ApprovalAudit {
  /** The approve rule and who decides (`self` or `group:<name>`). */
  rule: string;
  by: string;
  /** The approval's id at its desk (null when none was opened). */
  id: string | null;
  ask: AskMode | null;
  /**
   * How it stands: an approval's status, `grant` (an earlier approval's `ttl` covered the call),
   * `continued` (a 2026-07-28 retry that continues a call already approved and running),
   * `unavailable` (the gateway could not ask), `rejected` (a forged, stale or replayed `requestState`).
   */
  status: ApprovalStatus | 'grant' | 'continued' | 'unavailable' | 'rejected';
  /** Who approved or denied, and when (ISO 8601). */
  decidedBy: { sub: string; email: string } | null;
  decidedAt: string | null;
  /** Where it was decided: the approval page, the caller's client, or an earlier approval (`grant`). */
  via: 'page' | 'client' | 'grant' | null;
  /** Why, for `unavailable` and `rejected`. */
  reason?: string;
}

/** The audit part for an approval as the desk holds it. */
export function auditOfApproval(approval: Approval): ApprovalAudit {
  return {
    rule: approval.rule,
    by: describeDecider(approval.by),
    id: approval.id,
    ask: approval.ask,
    status: approval.status,
    decidedBy: approval.decidedBy ? { sub: approval.decidedBy.sub, email: approval.decidedBy.email } : null,
    decidedAt: approval.decidedAt === null ? null : new Date(approval.decidedAt).toISOString(),
    via: approval.via,
  };
}

/** The audit part for a call an earlier approval's `ttl` covers. */
export function auditOfGrant(requirement: ApprovalRequirement, grant: Grant): ApprovalAudit {
  return {
    rule: requirement.rule,
    by: describeDecider(requirement.by),
    id: grant.approvalId,
    ask: null,
    status: 'grant',
    decidedBy: { sub: grant.decidedBy.sub, email: grant.decidedBy.email },
    decidedAt: new Date(grant.decidedAt).toISOString(),
    via: 'grant',
  };
}

/** The audit part when no approval was opened (unavailable, rejected, continued). */
export function auditWithout(
  requirement: ApprovalRequirement,
  status: 'unavailable' | 'rejected' | 'continued',
  reason?: string,
  id: string | null = null,
): ApprovalAudit {
  return {
    rule: requirement.rule,
    by: describeDecider(requirement.by),
    id,
    ask: null,
    status,
    decidedBy: null,
    decidedAt: null,
    via: null,
    ...(reason ? { reason } : {}),
  };
}
