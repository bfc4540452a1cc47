/**
 * The audit trail's one format: a record per message, so an operator can answer who called
 * what, when, through which client and with what outcome.
 */
import type { RequestDecision } from '../../../../policies/engine/decide-request.ts';
import type { ApprovalAudit } from './approval/approval-audit.ts';

/**
 * One audit record per JSON-RPC message (and one per GET or DELETE), written as a JSON
 * line with `console.log`, which Workers Logs and Logpush collect. Fields are
 * documented in docs/audit.md. Never argument values, never tokens.
 */
export interface AuditRecord {
  event: 'mcp_request';
  /** ISO 8601 time the request arrived. */
  time: string;
  /** Random id shared by the records of one HTTP request (a batch gives several). */
  requestId: string;
  user: { sub: string; email: string; groups: string[] };
  /** The OAuth client the token was issued to. */
  clientId: string | null;
  httpMethod: string;
  /** JSON-RPC method, or null for GET (stream) and DELETE (end session). */
  method: string | null;
  /** JSON-RPC id, or null for notifications and non-POST requests. */
  jsonRpcId: string | number | null;
  target: RequestDecision['target'] | null;
  decision: 'allow' | 'deny' | 'reject';
  /** The rule that decided (see docs/policies.md), or why the input was refused. */
  rule: string;
  /**
   * What happened: `ok` (a result), `error` (a JSON-RPC error or an HTTP 4xx from the server),
   * `denied` (refused by policy), `rate_limited` (over a rule's rate limit), `rejected` (bad input),
   * `not_run` (a batch with a denied or rate-limited message),
   * `forwarded` (no answer to attribute: notifications, streams), `upstream_error` (server unreachable or 5xx),
   * `client_closed` (the client went away first); for calls a rule makes wait for a person (see
   * `approval`): `approval_required` (asked; nothing ran yet), `approval_declined` (the caller said
   * no), `approval_denied` (an approver said no), `approval_expired` (nobody decided in time),
   * `approval_unavailable` (the gateway could not ask).
   */
  outcome:
    | 'ok'
    | 'error'
    | 'denied'
    | 'rate_limited'
    | 'rejected'
    | 'not_run'
    | 'forwarded'
    | 'upstream_error'
    | 'client_closed'
    | 'approval_required'
    | 'approval_declined'
    | 'approval_denied'
    | 'approval_expired'
    | 'approval_unavailable';
  /** JSON-RPC error code of the answer, when there was one. */
  errorCode: number | null;
  /** HTTP status the client got. */
  status: number;
  /** Milliseconds from arrival to the end of the answer. */
  latencyMs: number;
  /** `sha256:<hex>` of the call's arguments (tools/call, prompts/get), else null. */
  argumentsDigest: string | null;
  /** What the gate took out of the message before it went on (docs/security.md 21); absent when nothing. */
  changed?: 'roots-capability-removed' | 'roots-filtered';
  /** For a call an approve rule made wait: the rule, who decides, how it ended, who approved and when. */
  approval?: ApprovalAudit;
}

/** Writes one record as one JSON line (an `mcp_request`, or a `definition_drift` from gate/drift/). */
export function writeAuditRecord(record: AuditRecord | { event: string }): void {
  console.log(JSON.stringify(record));
}
