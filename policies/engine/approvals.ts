/**
 * The approve rules of a tool policy: which one applies to a call, what it requires, and which
 * groups approve anything at all (the approval page keeps only those in a session). Pure: no I/O.
 */
import type { ApprovalRequirement, Approver } from '../model/approval.ts';
import type { RequestIdentity, ToolPolicies, ToolRule } from '../model/tool-policy.ts';
import { anyGlobMatches } from './glob.ts';
import { durationMs } from './rate-limits.ts';
import { whoMatches } from './who-matches.ts';

/** Longest `ttl` an approve rule may give: an approval is for a task, not a standing permission. */
export const MAX_APPROVAL_TTL_MS = 24 * 60 * 60 * 1000;

/**
 * The approval a call of `tool` by this person needs, or undefined. When several approve rules
 * apply, a group's approval beats a self-confirmation, and among equals the first rule in the file
 * decides.
 *
 * @example
 * ```ts
 * approvalFor(policies, alice, 'trigger-long-running-operation');
 * // { rule: 'long-operations-need-sre', by: { group: 'sre' }, ttlMs: 600000, text: '…' }
 * ```
 */
export function approvalFor(
  policies: ToolPolicies,
  identity: RequestIdentity,
  tool: string,
): ApprovalRequirement | undefined {
  const applying = policies.rules.filter(
    (rule) => rule.effect === 'approve' && whoMatches(rule.who, identity) && anyGlobMatches(rule.tools, tool),
  );
  const rule = applying.find((candidate) => candidate.by !== 'self') ?? applying[0];
  return rule ? requirementOf(rule) : undefined;
}

/**
 * Whether some approve rule could apply to this person (for any tool): only then does the
 * gateway remember what their client can be asked.
 */
export function mayNeedApproval(policies: ToolPolicies, identity: RequestIdentity): boolean {
  return policies.rules.some((rule) => rule.effect === 'approve' && whoMatches(rule.who, identity));
}

/**
 * The groups approve rules name.
 *
 * @example
 * ```ts
 * approvalGroups(policies); // ['sre']
 * ```
 */
export function approvalGroups(policies: ToolPolicies): string[] {
  const groups = policies.rules.flatMap((rule) => {
    const by = rule.effect === 'approve' && rule.by ? parseApprover(rule.by) : undefined;
    return by && 'group' in by ? [by.group] : [];
  });
  return [...new Set(groups)];
}

/** `self` or `group:<name>` as the engine uses it; undefined for anything else. */
export function parseApprover(text: string): Approver | undefined {
  if (text === 'self') return { self: true };
  const group = /^group:(.+)$/.exec(text)?.[1]?.trim();
  return group ? { group } : undefined;
}

/**
 * Who decides, as the file writes it.
 *
 * @example
 * ```ts
 * describeDecider({ group: 'sre' }); // 'group:sre'
 * ```
 */
export function describeDecider(by: Approver): string {
  return 'self' in by ? 'self' : `group:${by.group}`;
}

/**
 * A duration in the policy file's words.
 *
 * @example
 * ```ts
 * shortDuration(600_000); // '10m'
 * ```
 */
export function shortDuration(ms: number): string {
  for (const [unit, size] of [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
  ] as const)
    if (ms % size === 0) return `${ms / size}${unit}`;
  return `${ms / 1000}s`;
}

function requirementOf(rule: ToolRule): ApprovalRequirement {
  return {
    rule: rule.name,
    by: parseApprover(rule.by ?? 'self') ?? { self: true },
    ttlMs: rule.ttl ? durationMs(rule.ttl) : null,
    text: rule.text ?? null,
  };
}
