/**
 * Trims the lists a server answers with down to what the person may use, so a client is never
 * shown a tool, prompt or resource that a call would be refused for.
 */
import type { RequestIdentity, ToolPolicies } from '../model/tool-policy.ts';
import { decideTarget, type PolicyTarget } from './decide-request.ts';

/** The lists a server answers with, and the key that names each entry. */
const LIST_KEYS = {
  tools: { kind: 'tool', key: 'name' },
  prompts: { kind: 'prompt', key: 'name' },
  resources: { kind: 'resource', key: 'uri' },
  resourceTemplates: { kind: 'resource', key: 'uriTemplate' },
} as const satisfies Record<string, { kind: PolicyTarget['kind']; key: string }>;

export type ListKind = keyof typeof LIST_KEYS;

/**
 * Keeps the entries of a `tools/list`, `prompts/list`, `resources/list` or
 * `resources/templates/list` answer that a person may use; an entry without a name
 * is dropped. Argument constraints are not known at listing time, so a tool allowed
 * only with some arguments is listed and its calls are checked. Pure: no I/O.
 *
 * @example
 * ```ts
 * filterList(policies, bob, 'tools', [{ name: 'echo' }, { name: 'get-env' }]); // [{ name: 'echo' }]
 * ```
 */
export function filterList<Entry>(
  policies: ToolPolicies,
  identity: RequestIdentity,
  list: ListKind,
  entries: readonly Entry[],
): Entry[] {
  const { kind, key } = LIST_KEYS[list];
  return entries.filter((entry) => {
    const name = typeof entry === 'object' && entry !== null ? (entry as Record<string, unknown>)[key] : undefined;
    return (
      typeof name === 'string' &&
      decideTarget(policies, identity, { kind, name }, undefined, { ignoreArguments: true }).allowed
    );
  });
}

/** The list kinds, for code that finds lists inside answers. */
export const LIST_KINDS = Object.keys(LIST_KEYS) as ListKind[];
