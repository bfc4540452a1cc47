/**
 * A 2025 client answers the gateway's `elicitation/create` with a POST that carries a JSON-RPC
 * response to the id the gateway issued (`secure-mcp-approval:<address>`). That answer is the
 * gateway's, not the server's: it is taken out of the request before anything is forwarded, its
 * address is checked (signed by this Worker), and the desk records it for the caller who asked, so
 * an answer from anyone else changes nothing. A request of such answers only is answered `202`,
 * as the Streamable HTTP transport answers responses.
 */
import { parseApprovalRef } from '../../../approvals/approval-ref.ts';
import type { ApprovalDesks } from '../../../approvals/approval-desks.ts';
import type { Approval } from '../../../approvals/approval-record.ts';
import type { ClientAnswer } from '../../../approvals/approval-desk.ts';
import type { JsonRpcMessage } from '../json-rpc.ts';
import { GATEWAY_REQUEST_PREFIX } from './session-approval.ts';

/** Whether a message is a client's response to a request the gateway issued. */
export function isGatewayAnswer(message: JsonRpcMessage): boolean {
  return (
    message.method === undefined && typeof message.id === 'string' && message.id.startsWith(GATEWAY_REQUEST_PREFIX)
  );
}

/** One answer the gateway took, and what the desk made of it (undefined: not this caller's, or unknown). */
export interface TakenAnswer {
  message: JsonRpcMessage;
  action: ClientAnswer;
  approval: Approval | undefined;
}

/**
 * Hands each gateway answer among `messages` to its desk, for `callerSub`.
 *
 * @example
 * ```ts
 * const taken = await takeGatewayAnswers(messages.filter(isGatewayAnswer), desks, secret, user.sub);
 * ```
 */
export async function takeGatewayAnswers(
  answers: readonly JsonRpcMessage[],
  desks: ApprovalDesks | undefined,
  secret: string,
  callerSub: string,
): Promise<TakenAnswer[]> {
  return Promise.all(
    answers.map(async (message) => {
      const action = actionOf(message);
      const ref = await parseApprovalRef(String(message.id).slice(GATEWAY_REQUEST_PREFIX.length), secret);
      const stub = ref && desks?.byId(ref.desk);
      const approval = ref && stub ? await stub.answer(ref.id, callerSub, action) : undefined;
      return { message, action, approval };
    }),
  );
}

/** The elicitation action of a response; an error response (the client could not ask) counts as cancel. */
function actionOf(message: JsonRpcMessage): ClientAnswer {
  const action = (message.result as { action?: unknown } | undefined)?.action;
  return action === 'accept' || action === 'decline' ? action : 'cancel';
}
