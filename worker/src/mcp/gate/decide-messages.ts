/**
 * The policy decision for every message of a request, batches included, so the gate can refuse a
 * request as a whole before any of it reaches the server.
 */
import { decideRequest, type RequestDecision } from '../../../../policies/engine/decide-request.ts';
import type { RequestIdentity, ToolPolicies } from '../../../../policies/model/tool-policy.ts';
import { isCall, type JsonRpcMessage } from './json-rpc.ts';

/**
 * The policy decision for each message of a request, in order. Responses the client
 * sends back (to the server's sampling or elicitation requests) carry no method and
 * are part of the session.
 *
 * @example
 * ```ts
 * decideMessages(policies, bob, [{ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'get-env' } }])[0]?.allowed; // false
 * ```
 */
export function decideMessages(
  policies: ToolPolicies,
  identity: RequestIdentity,
  messages: readonly JsonRpcMessage[],
): RequestDecision[] {
  return messages.map((message) =>
    isCall(message)
      ? decideRequest(policies, identity, { method: message.method, params: message.params })
      : { allowed: true, rule: 'protocol', reason: 'A response to the server is part of the MCP session.' },
  );
}
