/**
 * What the approval step needs from the gate for one call, and the steps every revision shares:
 * opening an approval at the right desk (or finding the grant of an earlier one), and the
 * JSON-RPC errors a call ends with when it does not run. The revision-specific ways of asking live
 * in `session-approval.ts` (2025, a question on the call's stream) and `modern-approval.ts`
 * (2026-07-28, `input_required` and a signed `requestState`).
 */
import { formatApprovalRef } from '../../../approvals/approval-ref.ts';
import { deskName, type ApprovalDesks } from '../../../approvals/approval-desks.ts';
import type { ApprovalDesk } from '../../../approvals/approval-desk.ts';
import type { Approval, AskMode, Grant } from '../../../approvals/approval-record.ts';
import { readableArguments } from '../../../approvals/readable-arguments.ts';
import type { AuditRecord } from '../audit-record.ts';
import { ERROR_CODES, type JsonRpcMessage } from '../json-rpc.ts';
import type { ApprovalCall } from './approval-step.ts';

/** Configuration and bindings of the approval step. */
export interface ApprovalSettings {
  /** The desks (`APPROVAL_DESK`); absent, calls that need approval are refused (fail closed). */
  desks: ApprovalDesks | undefined;
  /** The Worker-only secret the step's signatures derive from (`COOKIE_SIGNING_KEY`). */
  secret: string;
  /** The Worker's public origin, for approval page links. */
  publicUrl: string;
  /** How long a call waits for a decision. */
  waitMs: number;
  /** The name the OAuth client registered, shown to approvers; null when unknown. */
  clientName: (clientId: string | null) => Promise<string | null>;
  /** Longest wait of one round (a 2026-07-28 retry, a keep-alive on a 2025 stream); the revision's default when absent. */
  roundMs?: number;
}

/** An approval held at its desk, with the address its page and question use. */
export interface OpenedApproval {
  approval: Approval;
  stub: DurableObjectStub<ApprovalDesk>;
  /** The signed address (`approval-ref.ts`). */
  ref: string;
  pageUrl: string;
}

/**
 * Holds an approval for the call at its desk: the group's, or the caller's own for
 * self-confirmation. Answers the grant of an earlier approval instead when the rule's `ttl` still
 * covers the call, or the desk's refusal.
 */
export async function openApproval(
  call: ApprovalCall,
  settings: ApprovalSettings & { desks: ApprovalDesks },
  ask: AskMode,
  now = Date.now(),
): Promise<{ opened: OpenedApproval } | { grant: Grant } | { refused: string }> {
  const { stub, desk } = settings.desks.named(deskName(call.requirement.by, call.caller));
  const args = (call.message.params as { arguments?: unknown } | undefined)?.arguments;
  const result = await stub.open({
    by: call.requirement.by,
    rule: call.requirement.rule,
    text: call.requirement.text,
    ttlMs: call.requirement.ttlMs,
    ask,
    caller: { sub: call.caller.sub, email: call.caller.email, ...(call.caller.name ? { name: call.caller.name } : {}) },
    clientId: call.clientId,
    clientName: await settings.clientName(call.clientId),
    tool: call.tool,
    argumentsDigest: call.argumentsDigest,
    argumentsShown: readableArguments(args),
    expiresAt: now + settings.waitMs,
  });
  if (result.kind === 'grant') return { grant: result.grant };
  if (result.kind === 'refused') return { refused: result.reason };
  const ref = await formatApprovalRef({ desk, id: result.approval.id }, settings.secret);
  return { opened: { approval: result.approval, stub, ref, pageUrl: approvalPageUrl(settings.publicUrl, ref) } };
}

/** The approval page of an approval. */
export function approvalPageUrl(publicUrl: string, ref: string): string {
  return `${publicUrl}/approvals/${ref}`;
}

/** The JSON-RPC error code for a call that ended in this approval status without running. */
export function errorCodeFor(status: Approval['status']): number {
  if (status === 'expired') return ERROR_CODES.approvalExpired;
  if (status === 'used') return ERROR_CODES.invalidParams;
  return ERROR_CODES.approvalDeclined;
}

/** The audit outcome of a call that ended in this approval status without running. */
export function outcomeFor(status: Approval['status']): AuditRecord['outcome'] {
  if (status === 'expired') return 'approval_expired';
  if (status === 'denied') return 'approval_denied';
  if (status === 'withdrawn') return 'client_closed';
  if (status === 'used') return 'rejected';
  return 'approval_declined';
}

/** A JSON-RPC error for the call, as a JSON-RPC message (HTTP 200 or an SSE event carry it). */
export function callError(call: ApprovalCall, code: number, message: string, data?: unknown): JsonRpcMessage {
  return {
    jsonrpc: '2.0',
    id: call.message.id,
    error: data === undefined ? { code, message } : { code, message, data },
  };
}
