/**
 * Which tools, resources, prompts and roots `explain` and `diff` go through, so both commands
 * speak about the same set in the same order.
 */
import { offeredNames } from '../definitions/inventory-pins.ts';
import type { PolicyTarget } from '../engine/decide-request.ts';
import type { LoadedPolicies } from '../load/load-policies.ts';

/**
 * The tools, resources and prompts to evaluate: those in the inventories and the policy
 * tests of the given policies, and the root patterns their rules name (a server offers no list
 * of roots), without duplicates, in a stable order.
 *
 * @example
 * ```ts
 * targetsOf([loaded]); // [{ kind: 'tool', name: 'echo' }, …]
 * ```
 */
export function targetsOf(all: LoadedPolicies[]): PolicyTarget[] {
  const seen = new Map<string, PolicyTarget>();
  const add = (kind: PolicyTarget['kind'], name: string) => seen.set(`${kind} ${name}`, { kind, name });
  for (const loaded of all) {
    const offered = loaded.inventory ? offeredNames(loaded.inventory) : undefined;
    offered?.tools.forEach((name) => add('tool', name));
    offered?.resources.forEach((name) => add('resource', name));
    offered?.prompts.forEach((name) => add('prompt', name));
    for (const row of loaded.cases?.requests ?? []) {
      if (row.tool) add('tool', row.tool);
      if (row.resource) add('resource', row.resource);
      if (row.prompt) add('prompt', row.prompt);
    }
    loaded.tools?.rules.forEach((rule) => rule.roots?.forEach((pattern) => add('root', pattern)));
  }
  const order = { tool: 0, resource: 1, prompt: 2, root: 3 };
  return [...seen.values()].sort((a, b) => order[a.kind] - order[b.kind] || a.name.localeCompare(b.name));
}
