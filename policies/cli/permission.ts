/**
 * A person's standing on one tool, resource or prompt in a single word with its rule, the common
 * measure `explain` prints and `diff` compares between revisions.
 */
import { describeDecider, shortDuration } from '../engine/approvals.ts';
import { decideTarget, type PolicyTarget } from '../engine/decide-request.ts';
import type { ApprovalRequirement } from '../model/approval.ts';
import { describeRateLimit, durationMs, rateLimitOf } from '../engine/rate-limits.ts';
import type { RateLimit, RequestIdentity, ToolPolicies } from '../model/tool-policy.ts';

/** What a person may do with one tool, resource or prompt, in one word and the rule that says so. */
export interface Permission {
  level: 'denied' | 'conditional' | 'allowed';
  rule: string;
  /** For `conditional`: the argument conditions, in the policy's words. */
  conditions?: string;
  /** For allowed tools an approve rule matches: who approves each call, under which rule, for how long. */
  approval?: ApprovalRequirement;
  /** The deciding rule's rate limit, for tools. */
  limit?: RateLimit;
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
  const limitOf = (rule: string) => {
    const limit = target.kind === 'tool' ? rateLimitOf(policies, rule) : undefined;
    return limit ? { limit } : {};
  };
  const outright = decideTarget(policies, identity, target, undefined);
  if (outright.allowed) return { level: 'allowed', rule: outright.rule, ...limitOf(outright.rule), ...approval };
  const rule = policies.rules.find((candidate) => candidate.name === listed.rule);
  const conditions = Object.entries(rule?.arguments ?? {})
    .map(
      ([name, constraint]) =>
        `${name} ${'oneOf' in constraint ? `oneOf ${JSON.stringify(constraint.oneOf)}` : `prefix ${JSON.stringify(constraint.prefix)}`}`,
    )
    .join(', ');
  return { level: 'conditional', rule: listed.rule, conditions, ...limitOf(listed.rule), ...approval };
}

/** A permission in words, for tables. */
export function describePermission(permission: Permission | undefined): string {
  if (!permission) return '(not listed)';
  const limit = permission.limit ? `, at most ${describeRateLimit(permission.limit)}` : '';
  const approval = permission.approval ? `, after ${describeApprovalShort(permission.approval)}` : '';
  if (permission.level === 'allowed') return `allowed${limit} (${permission.rule})${approval}`;
  if (permission.level === 'conditional')
    return `allowed when ${permission.conditions}${limit} (${permission.rule})${approval}`;
  return `denied (${permission.rule})`;
}

/** `approval by group:sre (long-operations-need-sre; covers 10m)`: the approval part of a permission. */
function describeApprovalShort(approval: ApprovalRequirement): string {
  const ttl = approval.ttlMs ? `; covers ${shortDuration(approval.ttlMs)}` : '';
  return `approval by ${describeDecider(approval.by)} (${approval.rule}${ttl})`;
}

/**
 * Whether `now` lets a person call more often than `was`: a limit removed, or more calls per unit
 * of time. Pure.
 *
 * @example
 * ```ts
 * loosensLimit({ calls: 5, per: '1m' }, { calls: 10, per: '1m' }); // true
 * ```
 */
export function loosensLimit(was: RateLimit | undefined, now: RateLimit | undefined): boolean {
  if (!was) return false;
  if (!now) return true;
  return now.calls / durationMs(now.per) > was.calls / durationMs(was.per);
}
