import { describeDecider, shortDuration } from '../engine/approvals.ts';
import { decideTarget, type PolicyTarget } from '../engine/decide-request.ts';
import type { ApprovalRequirement } from '../model/approval.ts';
import type { RequestIdentity, ToolPolicies } from '../model/tool-policy.ts';

/** What a person may do with one tool, resource or prompt, in one word and the rule that says so. */
export interface Permission {
  level: 'denied' | 'conditional' | 'allowed';
  rule: string;
  /** For `conditional`: the argument conditions, in the policy's words. */
  conditions?: string;
  /** For allowed tools an approve rule matches: who approves each call, under which rule, for how long. */
  approval?: ApprovalRequirement;
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
  const approval = listed.approval ? { approval: listed.approval } : {};
  const outright = decideTarget(policies, identity, target, undefined);
  if (outright.allowed) return { level: 'allowed', rule: outright.rule, ...approval };
  const rule = policies.rules.find((candidate) => candidate.name === listed.rule);
  const conditions = Object.entries(rule?.arguments ?? {})
    .map(
      ([name, constraint]) =>
        `${name} ${'oneOf' in constraint ? `oneOf ${JSON.stringify(constraint.oneOf)}` : `prefix ${JSON.stringify(constraint.prefix)}`}`,
    )
    .join(', ');
  return { level: 'conditional', rule: listed.rule, conditions, ...approval };
}

/** A permission in words, for tables. */
export function describePermission(permission: Permission | undefined): string {
  if (!permission) return '(not listed)';
  const approval = permission.approval ? `, after ${describeApprovalShort(permission.approval)}` : '';
  if (permission.level === 'allowed') return `allowed (${permission.rule})${approval}`;
  if (permission.level === 'conditional')
    return `allowed when ${permission.conditions} (${permission.rule})${approval}`;
  return `denied (${permission.rule})`;
}

/** `approval by group:sre (long-operations-need-sre; covers 10m)`: the approval part of a permission. */
function describeApprovalShort(approval: ApprovalRequirement): string {
  const ttl = approval.ttlMs ? `; covers ${shortDuration(approval.ttlMs)}` : '';
  return `approval by ${describeDecider(approval.by)} (${approval.rule}${ttl})`;
}
