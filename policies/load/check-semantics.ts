/**
 * The mistakes in the policies that are well-formed YAML and pass the schema but would quietly
 * allow or deny the wrong thing: duplicate names, reserved names and patterns that match nothing.
 */
import type { AccessPolicyEntry } from '../model/access-policy.ts';
import type { ToolPolicies } from '../model/tool-policy.ts';
import { BUILT_IN_RULE_NAMES } from '../engine/decide-request.ts';
import { offeredNames } from '../definitions/inventory-pins.ts';
import { anyGlobMatches } from '../engine/glob.ts';
import type { ParsedPolicyText } from './parse-policy-text.ts';
import type { PolicyProblem } from './policy-problem.ts';
import type { Inventory } from './schemas.ts';

/** A parsed file together with the name reviewers know it by. */
export interface Located<T> {
  file: string;
  parsed: ParsedPolicyText<T>;
}

/**
 * Problems a schema cannot see: names used twice (decisions name the rule, so a name
 * must say which), rule names the engine reserves, and patterns that match nothing the
 * server offers or is not pinned (a misspelt tool name would otherwise allow or deny nothing,
 * silently), and definitions pinned twice.
 *
 * @example
 * ```ts
 * checkSemantics(access, tools, inventory); // [{ file: 'policies/tools.yaml', line: 30, column: 13, message: 'tool pattern "ech" matches no tool in policies/inventory.yaml' }]
 * ```
 */
export function checkSemantics(
  access: Located<AccessPolicyEntry[]> | undefined,
  tools: Located<ToolPolicies> | undefined,
  inventory: (Located<Inventory> & { value: Inventory }) | undefined,
): PolicyProblem[] {
  const problems: PolicyProblem[] = [];
  const at = <T>(located: Located<T>, path: PropertyKey[], message: string) =>
    problems.push({ file: located.file, ...located.parsed.locate(path), message });

  if (access?.parsed.value) {
    const seen = new Set<string>();
    access.parsed.value.forEach((policy, index) => {
      if (seen.has(policy.name))
        at(
          access,
          ['policies', index, 'name'],
          `policy name "${policy.name}" is used twice; decisions name the policy, so names must be unique`,
        );
      seen.add(policy.name);
    });
  }

  if (tools?.parsed.value) {
    const seen = new Set<string>();
    tools.parsed.value.rules.forEach((rule, index) => {
      if (seen.has(rule.name))
        at(
          tools,
          ['rules', index, 'name'],
          `rule name "${rule.name}" is used twice; decisions name the rule, so names must be unique`,
        );
      if ((BUILT_IN_RULE_NAMES as readonly string[]).includes(rule.name)) {
        at(tools, ['rules', index, 'name'], `rule name "${rule.name}" is reserved for the engine's own decisions`);
      }
      seen.add(rule.name);
      if (!inventory) return;
      const offered = offeredNames(inventory.value);
      for (const key of ['tools', 'resources', 'prompts'] as const) {
        const names = offered[key];
        // Resource lists change at run time and are not pinned: an empty list checks nothing.
        if (key === 'resources' && names.length === 0) continue;
        const what = key === 'resources' ? 'resource or resource template' : `pinned ${key.slice(0, -1)}`;
        (rule[key] ?? []).forEach((pattern, patternIndex) => {
          if (!names.some((name) => anyGlobMatches([pattern], name))) {
            at(
              tools,
              ['rules', index, key, patternIndex],
              `${key.slice(0, -1)} pattern "${pattern}" matches no ${what} in ${inventory.file} (npm run policy -- pin records what the server offers)`,
            );
          }
        });
      }
    });
  }
  if (inventory) {
    for (const [key, pins] of [
      ['tools', inventory.value.tools],
      ['resourceTemplates', inventory.value.resourceTemplates],
      ['prompts', inventory.value.prompts],
    ] as const) {
      const seen = new Set<string>();
      pins.forEach((pin, index) => {
        if (seen.has(pin.key))
          at(inventory, [key, index], `"${pin.key}" is pinned twice; each definition has exactly one pin`);
        seen.add(pin.key);
      });
    }
  }
  return problems;
}
