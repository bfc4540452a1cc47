/**
 * Applies the list filtering to whatever the server sends back, by the shape of the message, so a
 * list is trimmed however and whenever it arrives.
 */
import { filterList, LIST_KINDS } from '../../../../policies/engine/filter-list.ts';
import type { RequestIdentity, ToolPolicies } from '../../../../policies/model/tool-policy.ts';

/**
 * Filters every list a server message carries (`result.tools`, `result.prompts`,
 * `result.resources`, `result.resourceTemplates`) down to what this person may use.
 * Found by shape, so an answer is filtered whether it arrives on the POST that asked,
 * or later on a resumed GET stream. Returns the same object when nothing changed.
 *
 * @example
 * ```ts
 * filterMessage(policies, bob, { jsonrpc: '2.0', id: 1, result: { tools: [{ name: 'echo' }, { name: 'get-env' }] } });
 * // { jsonrpc: '2.0', id: 1, result: { tools: [{ name: 'echo' }] } }
 * ```
 */
export function filterMessage(policies: ToolPolicies, identity: RequestIdentity, message: unknown): unknown {
  if (typeof message !== 'object' || message === null || Array.isArray(message)) return message;
  const result = (message as { result?: unknown }).result;
  if (typeof result !== 'object' || result === null || Array.isArray(result)) return message;

  let filtered: Record<string, unknown> | undefined;
  for (const kind of LIST_KINDS) {
    const entries = (result as Record<string, unknown>)[kind];
    if (!Array.isArray(entries)) continue;
    const kept = filterList(policies, identity, kind, entries);
    if (kept.length !== entries.length) {
      filtered ??= { ...(result as Record<string, unknown>) };
      filtered[kind] = kept;
    }
  }
  return filtered ? { ...message, result: filtered } : message;
}
