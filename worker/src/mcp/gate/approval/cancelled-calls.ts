/**
 * A 2025 client that gives up on a call sends `notifications/cancelled` with the request's id
 * (basic/utilities/cancellation). For a call that waits for approval, that means nobody should
 * approve it any more: the approval is withdrawn, so it leaves the approvers' page and can never
 * run a call the client no longer waits for. The notification still goes on to the server, which
 * ignores a request it never saw.
 */
import type { ApprovalDesks } from '../../../approvals/approval-desks.ts';
import { deskName } from '../../../approvals/approval-desks.ts';
import type { JsonRpcMessage } from '../json-rpc.ts';

/**
 * Withdraws the approval a cancelled request of this session waits for, if any.
 *
 * @example
 * ```ts
 * await withdrawCancelled(message, request.headers.get('mcp-session-id'), desks, user);
 * ```
 */
export async function withdrawCancelled(
  message: JsonRpcMessage,
  sessionId: string | null,
  desks: ApprovalDesks,
  caller: { sub: string },
): Promise<void> {
  if (message.method !== 'notifications/cancelled' || !sessionId) return;
  const requestId = (message.params as { requestId?: unknown } | undefined)?.requestId;
  if (typeof requestId !== 'string' && typeof requestId !== 'number') return;
  const wait = await desks.named(deskName({ self: true }, caller)).stub.takeWait(sessionId, JSON.stringify(requestId));
  if (wait) await desks.byId(wait.desk)?.withdraw(wait.approvalId, caller.sub);
}
