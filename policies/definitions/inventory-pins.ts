/**
 * Views of `policies/inventory.yaml` for the code that uses it: the names a policy pattern may
 * match (for `policy check`, `explain` and `diff`), and the digests the Worker enforces. Pure.
 */
import type { Inventory } from '../load/schemas.ts';
import type { DefinitionKind, DefinitionPins, PinnedDefinition } from '../model/pinned-definition.ts';

/**
 * The names policy patterns are checked against: pinned tools and prompts; static resources
 * and the resource templates' URI templates.
 *
 * @example
 * ```ts
 * offeredNames(inventory).tools; // ['echo', 'get-env', …]
 * ```
 */
export function offeredNames(inventory: Inventory): { tools: string[]; resources: string[]; prompts: string[] } {
  return {
    tools: inventory.tools.map((pin) => pin.key),
    resources: [...inventory.resources, ...inventory.resourceTemplates.map((pin) => pin.key)],
    prompts: inventory.prompts.map((pin) => pin.key),
  };
}

/** The pinned definitions of each kind, in the order the file lists them. */
export function pinnedDefinitions(inventory: Inventory): Record<DefinitionKind, PinnedDefinition[]> {
  return { tool: inventory.tools, resourceTemplate: inventory.resourceTemplates, prompt: inventory.prompts };
}

/**
 * The digests by key, per kind: what the Worker's build embeds (policies/build/policy-plugins.ts).
 *
 * @example
 * ```ts
 * definitionPins(inventory).tool.echo; // 'sha256:…'
 * ```
 */
export function definitionPins(inventory: Inventory): DefinitionPins {
  const byKey = (pins: PinnedDefinition[]) => Object.fromEntries(pins.map((pin) => [pin.key, pin.digest]));
  return {
    tool: byKey(inventory.tools),
    resourceTemplate: byKey(inventory.resourceTemplates),
    prompt: byKey(inventory.prompts),
  };
}
