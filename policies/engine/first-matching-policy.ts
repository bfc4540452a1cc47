/**
 * Access's order of evaluation, shared by the two deciders of a sign-in: `decideSignIn` over
 * the project's rules and `decideAtAccess` over the selectors the stack deploys. They differ
 * only in how one rule matches a person and reads in words; the order, the first-match rule
 * and the reasons live here once, so the prediction and the rehearsal cannot drift. Pure.
 */

/** Whether a person may sign in, which policy decided (none when denied by default), and why. */
export interface SignInDecision {
  allowed: boolean;
  policy?: string;
  reason: string;
}

/** A policy in either form: its rules, in Access's three lists. */
export interface OrderedPolicy<Rule> {
  name: string;
  decision: 'allow' | 'deny';
  include: readonly Rule[];
  require?: readonly Rule[];
  exclude?: readonly Rule[];
}

/** How one rule of a given form judges the person being decided, and how it reads in a reason. */
export interface RuleJudge<Rule> {
  matches(rule: Rule): boolean;
  describe(rule: Rule): string;
}

/** How one policy relates to one person: it matches (by this include rule), or why it does not. */
type PolicyMatch<Rule> = { matches: true; includedBy: Rule } | { matches: false; miss: string };

/**
 * Decides with Cloudflare Access semantics: a policy matches when any `include` rule matches,
 * every `require` rule matches and no `exclude` rule matches; policies are evaluated in
 * precedence (list) order, allow and deny alike, and the first that matches decides; no match
 * is a denial. Access documents this order for Allow and Block policies ("evaluated based on
 * their order from top to bottom … once a user matches an Allow or Block policy, evaluation
 * stops": https://developers.cloudflare.com/cloudflare-one/access-controls/policies/#cloudflare-access-policy-order-of-execution).
 *
 * @example
 * ```ts
 * decideInPolicyOrder([{ name: 'everyone', decision: 'allow', include: ['*'] }], {
 *   matches: () => true,
 *   describe: () => 'everyone',
 * }); // { allowed: true, policy: 'everyone', reason: 'Allowed by policy "everyone": it includes everyone.' }
 * ```
 */
export function decideInPolicyOrder<Rule>(
  policies: readonly OrderedPolicy<Rule>[],
  judge: RuleJudge<Rule>,
): SignInDecision {
  const misses: string[] = [];
  for (const policy of policies) {
    const match = matchPolicy(policy, judge);
    if (match.matches) {
      const allowed = policy.decision === 'allow';
      return {
        allowed,
        policy: policy.name,
        reason: `${allowed ? 'Allowed' : 'Denied'} by policy "${policy.name}": it includes ${judge.describe(match.includedBy)}.`,
      };
    }
    if (policy.decision === 'allow') misses.push(`"${policy.name}": ${match.miss}`);
  }
  return {
    allowed: false,
    reason:
      misses.length === 0
        ? 'Denied by default: no policy allows anyone.'
        : `Denied by default: no policy allows this person (${misses.join('; ')}).`,
  };
}

function matchPolicy<Rule>(policy: OrderedPolicy<Rule>, judge: RuleJudge<Rule>): PolicyMatch<Rule> {
  const includedBy = policy.include.find((rule) => judge.matches(rule));
  if (includedBy === undefined) return { matches: false, miss: 'no include rule matches' };

  const unmetRequirement = policy.require?.find((rule) => !judge.matches(rule));
  if (unmetRequirement !== undefined) return { matches: false, miss: `requires ${judge.describe(unmetRequirement)}` };

  const excludedBy = policy.exclude?.find((rule) => judge.matches(rule));
  if (excludedBy !== undefined) return { matches: false, miss: `excludes ${judge.describe(excludedBy)}` };

  return { matches: true, includedBy };
}
