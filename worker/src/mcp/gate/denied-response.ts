/**
 * What a client gets back when the policies refuse a request: an answer every MCP client shows to
 * its user, naming the rule, while nothing reaches the server.
 */
import type { RequestDecision } from '../../../../policies/engine/decide-request.ts';
import { ERROR_CODES, type JsonRpcMessage } from './json-rpc.ts';

/**
 * The answer when a policy denies a message: nothing reaches the server. A denied
 * request gets a JSON-RPC error naming the decision (HTTP 200, as JSON-RPC errors
 * travel, so every client shows the message). In a batch, the other requests are
 * answered as not run. A request of notifications only gets HTTP 403.
 *
 * @example
 * ```ts
 * return deniedResponse(messages, decisions, batch);
 * // { jsonrpc: '2.0', id: 7, error: { code: -32003, message: 'Forbidden by policy: Denied by rule "no-environment-dumps" for tool get-env.', data: { decision: 'deny', rule: 'no-environment-dumps' } } }
 * ```
 */
export function deniedResponse(
  messages: readonly JsonRpcMessage[],
  decisions: readonly RequestDecision[],
  batch: boolean,
): Response {
  const answers = messages.flatMap((message, index) => {
    if (message.id === undefined || message.method === undefined) return [];
    const decision = decisions[index]!;
    const error = decision.allowed
      ? {
          code: ERROR_CODES.forbiddenByPolicy,
          message: 'Not run: another message in this batch was denied by policy',
          data: { decision: 'not_run' },
        }
      : {
          code: ERROR_CODES.forbiddenByPolicy,
          message: `Forbidden by policy: ${decision.reason}`,
          data: { decision: 'deny', rule: decision.rule },
        };
    return [{ jsonrpc: '2.0', id: message.id, error }];
  });
  if (answers.length === 0) {
    const denied = decisions.find((decision) => !decision.allowed)!;
    return Response.json(
      {
        jsonrpc: '2.0',
        id: null,
        error: {
          code: ERROR_CODES.forbiddenByPolicy,
          message: `Forbidden by policy: ${denied.reason}`,
          data: { decision: 'deny', rule: denied.rule },
        },
      },
      { status: 403 },
    );
  }
  return Response.json(batch ? answers : answers[0]);
}
