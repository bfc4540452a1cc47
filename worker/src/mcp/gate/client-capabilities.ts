/**
 * What a client tells the server it can do, and what it answers, as far as that widens what the
 * server may touch (docs/security.md 21). Today that is roots: a client's answer to `roots/list` is
 * where a file server may work. Unless a policy rule lets this person give roots, the gateway takes
 * the `roots` capability out of the client's handshake (`initialize` in the 2025 revisions, the
 * `_meta` envelope of every 2026-07-28 request), so a well-behaved server never asks; and it filters
 * every roots answer the client sends anyway (a JSON-RPC response, or a 2026-07-28 retry's
 * `inputResponses`) down to the roots the policy allows. Sampling and elicitation answers give the
 * server content, not reach, and pass. Pure: no I/O.
 */
import { allowedRoots, mayGiveRoots } from '../../../../policies/engine/client-roots.ts';
import type { RequestIdentity, ToolPolicies } from '../../../../policies/model/tool-policy.ts';
import type { JsonRpcMessage } from './json-rpc.ts';

/** Where a 2026-07-28 request carries the client's capabilities. */
export const CLIENT_CAPABILITIES_META_KEY = 'io.modelcontextprotocol/clientCapabilities';

/** A message as it may go on, and whether the gate changed it. */
export interface GatedAnswer {
  message: JsonRpcMessage;
  /** What was taken out, for the audit record; `undefined` when the message passes as it came. */
  change: 'roots-capability-removed' | 'roots-filtered' | undefined;
}

/**
 * The message with the roots capability removed (unless this person may give roots) and every roots
 * answer filtered to what the policy allows. Returns the same object when nothing changes.
 *
 * @example
 * ```ts
 * gateClientAnswer(policies, bob, { jsonrpc: '2.0', id: 0, method: 'initialize', params: { capabilities: { roots: {} } } });
 * // { message: { jsonrpc: '2.0', id: 0, method: 'initialize', params: { capabilities: {} } }, change: 'roots-capability-removed' }
 * ```
 */
export function gateClientAnswer(
  policies: ToolPolicies,
  identity: RequestIdentity,
  message: JsonRpcMessage,
): GatedAnswer {
  let change: GatedAnswer['change'];
  let gated = message;
  const params = record(message.params);
  if (params) {
    let newParams = params;
    if (!mayGiveRoots(policies, identity)) {
      const capabilities = record(params.capabilities);
      if (message.method === 'initialize' && capabilities && 'roots' in capabilities) {
        newParams = { ...newParams, capabilities: without(capabilities, 'roots') };
        change = 'roots-capability-removed';
      }
      const meta = record(params._meta);
      const declared = record(meta?.[CLIENT_CAPABILITIES_META_KEY]);
      if (meta && declared && 'roots' in declared) {
        newParams = { ...newParams, _meta: { ...meta, [CLIENT_CAPABILITIES_META_KEY]: without(declared, 'roots') } };
        change = 'roots-capability-removed';
      }
    }
    const inputResponses = record(params.inputResponses);
    if (inputResponses) {
      let filtered: Record<string, unknown> | undefined;
      for (const [key, answer] of Object.entries(inputResponses)) {
        const kept = filteredRoots(policies, identity, answer);
        if (kept) (filtered ??= { ...inputResponses })[key] = kept;
      }
      if (filtered) {
        newParams = { ...newParams, inputResponses: filtered };
        change ??= 'roots-filtered';
      }
    }
    if (newParams !== params) gated = { ...gated, params: newParams };
  }
  if (message.method === undefined) {
    const result = filteredRoots(policies, identity, message.result);
    if (result) {
      gated = { ...gated, result };
      change ??= 'roots-filtered';
    }
  }
  return { message: gated, change };
}

/** A roots answer with only the allowed roots, or `undefined` when `answer` is not one or loses nothing. */
function filteredRoots(
  policies: ToolPolicies,
  identity: RequestIdentity,
  answer: unknown,
): Record<string, unknown> | undefined {
  const fields = record(answer);
  if (!fields || !('roots' in fields)) return undefined;
  const roots = Array.isArray(fields.roots) ? fields.roots : [];
  const kept = allowedRoots(policies, identity, roots);
  return kept.length === roots.length && Array.isArray(fields.roots) ? undefined : { ...fields, roots: kept };
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function without(fields: Record<string, unknown>, key: string): Record<string, unknown> {
  const { [key]: _dropped, ...rest } = fields;
  return rest;
}
