/**
 * Who may sign in, decided the way Cloudflare Access decides it, over the project's own
 * rules (`policies/access.yaml`): the engine `policy check`, `explain` and `diff` use, and the
 * prediction the stand-in's provider-shaped decisions are tested against. Pure: no I/O.
 */
import type { AccessPolicy, AccessRule } from '../model/access-policy.ts';

/** What Access knows about a person when it checks the policies: verified email, groups and claims. */
export interface SignInIdentity {
  email: string;
  /** Group memberships, as the identity provider writes them (names, Object Ids, group emails, …). */
  groups: string[];
  /** Custom claims of a generic OIDC provider, by name. */
  claims?: Readonly<Record<string, readonly string[]>>;
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
 * `exclude` rule matches; policies are evaluated in precedence (list) order, allow and
 * deny alike, and the first that matches decides; no match is a denial. Access documents
 * this order for Allow and Block policies ("evaluated based on their order from top to
 * bottom … once a user matches an Allow or Block policy, evaluation stops":
 * https://developers.cloudflare.com/cloudflare-one/access-controls/policies/#cloudflare-access-policy-order-of-execution).
 * Emails and email domains compare case-insensitively; groups and claims exactly.
 *
 * @example
 * ```ts
 * decideSignIn(accessPolicies, { email: 'alice@example.com', groups: ['engineering'] });
 * // { allowed: true, policy: 'employees', reason: 'Allowed by policy "employees": it includes email domain example.com.' }
 * ```
 */
export function decideSignIn(policies: readonly AccessPolicy[], identity: SignInIdentity): SignInDecision {
  const misses: string[] = [];
  for (const policy of policies) {
    const match = matchPolicy(policy, identity);
    if (match.matches) {
      const allowed = policy.decision === 'allow';
      return {
        allowed,
        policy: policy.name,
        reason: `${allowed ? 'Allowed' : 'Denied'} by policy "${policy.name}": it includes ${describeRule(match.includedBy)}.`,
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
  if ('group' in rule) return identity.groups.includes(rule.group);
  return claimValues(identity, rule.oidcClaim.name).includes(rule.oidcClaim.value);
}

/** The identity's values for a claim name; a claim the identity does not carry has none. */
function claimValues(identity: SignInIdentity, name: string): readonly string[] {
  if (name === 'email') return [identity.email];
  if (name === 'groups') return identity.groups;
  return identity.claims?.[name] ?? [];
}

/** A rule in words, as used in decision reasons (e.g. `group contractors`). */
function describeRule(rule: AccessRule): string {
  if ('email' in rule) return `email ${rule.email}`;
  if ('emailDomain' in rule) return `email domain ${rule.emailDomain}`;
  if ('everyone' in rule) return 'everyone';
  if ('group' in rule) return `group ${rule.group}`;
  return `OIDC claim ${rule.oidcClaim.name}=${rule.oidcClaim.value}`;
}

function domainOf(email: string): string {
  const at = email.lastIndexOf('@');
  return at === -1 ? '' : email.slice(at + 1);
}

function sameIgnoringCase(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}
