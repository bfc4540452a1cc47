/**
 * Who may sign in, decided the way Cloudflare Access decides it, over the project's own
 * rules (`policies/access.yaml`): the engine `policy check`, `explain` and `diff` use, and the
 * prediction the stand-in's provider-shaped decisions are tested against. Pure: no I/O.
 */
import type { AccessPolicy, AccessRule } from '../model/access-policy.ts';
import { decideInPolicyOrder, type SignInDecision } from './first-matching-policy.ts';

/** What Access knows about a person when it checks the policies: verified email, groups and claims. */
export interface SignInIdentity {
  email: string;
  /** Group memberships, as the identity provider writes them (names, Object Ids, group emails, …). */
  groups: string[];
  /** Custom claims of a generic OIDC provider, by name. */
  claims?: Readonly<Record<string, readonly string[]>>;
}

/**
 * Decides whether a person may sign in over the project's rules, in Access's order
 * ({@link decideInPolicyOrder}). Emails and email domains compare case-insensitively; groups
 * and claims exactly.
 *
 * @example
 * ```ts
 * decideSignIn(accessPolicies, { email: 'alice@example.com', groups: ['engineering'] });
 * // { allowed: true, policy: 'employees', reason: 'Allowed by policy "employees": it includes email domain example.com.' }
 * ```
 */
export function decideSignIn(policies: readonly AccessPolicy[], identity: SignInIdentity): SignInDecision {
  return decideInPolicyOrder(policies, { matches: (rule) => ruleMatches(rule, identity), describe: describeRule });
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
