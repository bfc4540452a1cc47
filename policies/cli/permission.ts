import { decideTarget, type PolicyTarget } from '../engine/decide-request.ts';
import type { RequestIdentity, ToolPolicies } from '../model/tool-policy.ts';

/** What a person may do with one tool, resource or prompt, in one word and the rule that says so. */
export interface Permission {
  level: 'denied' | 'conditional' | 'allowed';
  rule: string;
  /** For `conditional`: the argument conditions, in the policy's words. */
  conditions?: string;
}

/**
 * A person's standing on one target, for `explain` and `diff`: allowed outright,
 * allowed only with some arguments (an allow rule with argument constraints), or denied.
 *
 * @example
 * ```ts
 * permissionOf(tools, bob, { kind: 'tool', name: 'get-structured-content' });
 * // { level: 'conditional', rule: 'support-weather-for-offices', conditions: 'location oneOf ["New York","Chicago"]' }
 * ```
 */
export function permissionOf(policies: ToolPolicies, identity: RequestIdentity, target: PolicyTarget): Permission {
  const listed = decideTarget(policies, identity, target, undefined, { ignoreArguments: true });
  if (!listed.allowed) return { level: 'denied', rule: listed.rule };
  const outright = decideTarget(policies, identity, target, undefined);
  if (outright.allowed) return { level: 'allowed', rule: outright.rule };
  const rule = policies.rules.find((candidate) => candidate.name === listed.rule);
  const conditions = Object.entries(rule?.arguments ?? {})
    .map(
      ([name, constraint]) =>
        `${name} ${'oneOf' in constraint ? `oneOf ${JSON.stringify(constraint.oneOf)}` : `prefix ${JSON.stringify(constraint.prefix)}`}`,
    )
    .join(', ');
  return { level: 'conditional', rule: listed.rule, conditions };
}

/** A permission in words, for tables. */
export function describePermission(permission: Permission | undefined): string {
  if (!permission) return '(not listed)';
  if (permission.level === 'allowed') return `allowed (${permission.rule})`;
  if (permission.level === 'conditional') return `allowed when ${permission.conditions} (${permission.rule})`;
  return `denied (${permission.rule})`;
}
