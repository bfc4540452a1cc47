import type { AccessPolicy, AccessRule } from '../model/access-policy.ts';

/** What Access knows about a person when it checks the policies: verified email and groups. */
export interface SignInIdentity {
  email: string;
  groups: string[];
}

/** Whether a person may sign in, which policy decided (none when denied by default), and why. */
export interface SignInDecision {
  allowed: boolean;
  policy?: string;
  reason: string;
}

/** How one policy relates to one person: it matches (by this include rule), or why it does not. */
type PolicyMatch = { matches: true; includedBy: AccessRule } | { matches: false; miss: string };

/**
 * Decides whether a person may sign in, with Cloudflare Access semantics: a policy
 * matches when any `include` rule matches, every `require` rule matches and no
 * `exclude` rule matches; deny policies are checked before allow policies, each group
 * in precedence (list) order; the first matching policy decides; no match is a denial.
 * Emails and email domains compare case-insensitively. Pure: no I/O.
 *
 * @example
 * ```ts
 * decideSignIn(accessPolicies, { email: 'alice@example.com', groups: ['engineering'] });
 * // { allowed: true, policy: 'employees', reason: 'Allowed by policy "employees": it includes email domain example.com.' }
 * ```
 */
export function decideSignIn(policies: AccessPolicy[], identity: SignInIdentity): SignInDecision {
  const denyPolicies = policies.filter((policy) => policy.decision === 'deny');
  const allowPolicies = policies.filter((policy) => policy.decision === 'allow');

  for (const policy of denyPolicies) {
    const match = matchPolicy(policy, identity);
    if (match.matches) {
      return {
        allowed: false,
        policy: policy.name,
        reason: `Denied by policy "${policy.name}": it includes ${describeRule(match.includedBy)}.`,
      };
    }
  }

  const misses: string[] = [];
  for (const policy of allowPolicies) {
    const match = matchPolicy(policy, identity);
    if (match.matches) {
      return {
        allowed: true,
        policy: policy.name,
        reason: `Allowed by policy "${policy.name}": it includes ${describeRule(match.includedBy)}.`,
      };
    }
    misses.push(`"${policy.name}": ${match.miss}`);
  }

  return {
    allowed: false,
    reason:
      misses.length === 0
        ? 'Denied by default: no policy allows anyone.'
        : `Denied by default: no policy allows this person (${misses.join('; ')}).`,
  };
}

function matchPolicy(policy: AccessPolicy, identity: SignInIdentity): PolicyMatch {
  const includedBy = policy.include.find((rule) => ruleMatches(rule, identity));
  if (!includedBy) return { matches: false, miss: 'no include rule matches' };

  const unmetRequirement = policy.require?.find((rule) => !ruleMatches(rule, identity));
  if (unmetRequirement) return { matches: false, miss: `requires ${describeRule(unmetRequirement)}` };

  const excludedBy = policy.exclude?.find((rule) => ruleMatches(rule, identity));
  if (excludedBy) return { matches: false, miss: `excludes ${describeRule(excludedBy)}` };

  return { matches: true, includedBy };
}

function ruleMatches(rule: AccessRule, identity: SignInIdentity): boolean {
  if ('email' in rule) return sameIgnoringCase(rule.email, identity.email);
  if ('emailDomain' in rule) return sameIgnoringCase(rule.emailDomain, domainOf(identity.email));
  if ('everyone' in rule) return rule.everyone;
  return claimValues(identity, rule.oidcClaim.name).includes(rule.oidcClaim.value);
}

/** The identity's values for a claim name; a claim the identity does not carry has none. */
function claimValues(identity: SignInIdentity, name: string): string[] {
  const claims = new Map([
    ['email', [identity.email]],
    ['groups', identity.groups],
  ]);
  return claims.get(name) ?? [];
}

/** A rule in words, as used in decision reasons (e.g. `OIDC claim groups=contractors`). */
function describeRule(rule: AccessRule): string {
  if ('email' in rule) return `email ${rule.email}`;
  if ('emailDomain' in rule) return `email domain ${rule.emailDomain}`;
  if ('everyone' in rule) return 'everyone';
  return `OIDC claim ${rule.oidcClaim.name}=${rule.oidcClaim.value}`;
}

function domainOf(email: string): string {
  const at = email.lastIndexOf('@');
  return at === -1 ? '' : email.slice(at + 1);
}

function sameIgnoringCase(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}
