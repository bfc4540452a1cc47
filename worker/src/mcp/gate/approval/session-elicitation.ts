/**
 * What a 2025 client can be asked is said once, in its `initialize`, and the gateway needs it on
 * every later call of the session, served by any isolate. So when an `initialize` that declares
 * elicitation opens a session, the modes are kept on the caller's own desk under the session id the
 * server gave (`approval-desk.ts`); a session id presented by another person finds nothing, since
 * each person has their own desk. Only done for people a rule could ask for approval.
 */
import type { ApprovalDesks } from '../../../approvals/approval-desks.ts';
import { deskName } from '../../../approvals/approval-desks.ts';
import type { JsonRpcMessage } from '../json-rpc.ts';
import { elicitationModes } from './client-elicitation.ts';

/** How long a session's modes are kept: longer than the bridge keeps an idle session (15 minutes). */
const SESSION_MEMORY_MS = 24 * 60 * 60 * 1000;

/**
 * Keeps the elicitation modes of the session an `initialize` opened, when it declared any.
 *
 * @example
 * ```ts
 * await rememberSessionElicitation(message, response, desks, user);
 * ```
 */
export async function rememberSessionElicitation(
  message: JsonRpcMessage,
  response: Response,
  desks: ApprovalDesks,
  caller: { sub: string },
): Promise<void> {
  if (message.method !== 'initialize') return;
  const sessionId = response.headers.get('mcp-session-id');
  const capabilities = (message.params as { capabilities?: { elicitation?: unknown } } | undefined)?.capabilities;
  const modes = elicitationModes(capabilities?.elicitation);
  if (!sessionId || modes.length === 0) return;
  await desks.named(deskName({ self: true }, caller)).stub.rememberSession(sessionId, modes, SESSION_MEMORY_MS);
}
