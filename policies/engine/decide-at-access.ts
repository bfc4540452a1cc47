/**
 * Decides a sign-in the way Cloudflare Access does, over the rules as `infra/` emits them
 * (Access's selectors, {@link AccessSelectorPolicy}) and the identity as Access holds it after
 * the identity provider's sign-in: which provider it came through, the groups that provider
 * reported, the claims it passed on. The local Access stand-in decides with this, so a
 * rehearsal exercises the rule the stack deploys, not the rule as written; `decideSignIn`
 * (the project's rules) is the prediction both are tested against. Pure: no I/O.
 *
 * Semantics, as Access documents them (`decideInPolicyOrder`, shared with `decideSignIn`):
 * include = any of, require = all of, exclude = none of; Allow and Block policies in their
 * order, the first match decides; deny by default. A provider-specific selector names its
 * identity provider, so it matches only a person who signed in through that provider.
 */
import type { AccessSelectorPolicy, AccessSelectorRule } from './provider-rules.ts';
import { decideInPolicyOrder, type SignInDecision } from './first-matching-policy.ts';

/** One group as Access holds it: providers report names, Object Ids or emails (not always all). */
export interface AccessGroup {
  id?: string;
  name?: string;
  email?: string;
}

/** What Access knows about a person once their identity provider has signed them in. */
export interface AccessIdentity {
  email: string;
  /** The Access identity provider the person signed in with. */
  identityProviderId: string;
  /**
   * Group memberships. For GitHub, the stand-in's convention: one group named after each
   * organization, and one named `organization/team` per team.
   */
  groups: readonly AccessGroup[];
  /** The OIDC claims or SAML attributes the provider passed on (the registered ones), by name. */
  claims: Readonly<Record<string, readonly string[]>>;
}

/**
 * Whether Access lets this person in, which policy decided, and why.
 *
 * @example
 * ```ts
 * decideAtAccess(
 *   [{ name: 'no-contractors', decision: 'deny', includes: [{ okta: { name: 'contractors', identityProviderId: okta } }] }],
 *   { email: 'mallory@example.com', identityProviderId: okta, groups: [{ name: 'contractors' }], claims: {} },
 * ); // { allowed: false, policy: 'no-contractors', reason: 'Denied by policy "no-contractors": it includes Okta group contractors.' }
 * ```
 */
export function decideAtAccess(policies: readonly AccessSelectorPolicy[], identity: AccessIdentity): SignInDecision {
  return decideInPolicyOrder(
    policies.map(({ name, decision, includes, requires, excludes }) => ({
      name,
      decision,
      include: includes,
      require: requires,
      exclude: excludes,
    })),
    { matches: (rule) => selectorMatches(rule, identity), describe: describeSelector },
  );
}

function selectorMatches(rule: AccessSelectorRule, identity: AccessIdentity): boolean {
  if ('email' in rule) return rule.email.email.toLowerCase() === identity.email.toLowerCase();
  if ('emailDomain' in rule)
    return (
      rule.emailDomain.domain.toLowerCase() === identity.email.slice(identity.email.lastIndexOf('@') + 1).toLowerCase()
    );
  if ('everyone' in rule) return true;
  const through = (identityProviderId: string) => identityProviderId === identity.identityProviderId;
  if ('okta' in rule) return through(rule.okta.identityProviderId) && hasGroup(identity, 'name', rule.okta.name);
  if ('azureAd' in rule) return through(rule.azureAd.identityProviderId) && hasGroup(identity, 'id', rule.azureAd.id);
  if ('gsuite' in rule)
    return through(rule.gsuite.identityProviderId) && hasGroup(identity, 'email', rule.gsuite.email);
  if ('githubOrganization' in rule) {
    const { name, team, identityProviderId } = rule.githubOrganization;
    return through(identityProviderId) && hasGroup(identity, 'name', team === undefined ? name : `${name}/${team}`);
  }
  if ('saml' in rule)
    return (
      through(rule.saml.identityProviderId) &&
      (identity.claims[rule.saml.attributeName] ?? []).includes(rule.saml.attributeValue)
    );
  return (
    through(rule.oidc.identityProviderId) && (identity.claims[rule.oidc.claimName] ?? []).includes(rule.oidc.claimValue)
  );
}

function hasGroup(identity: AccessIdentity, field: keyof AccessGroup, value: string): boolean {
  return identity.groups.some((group) => group[field] === value);
}

/**
 * A selector in words, for decision reasons.
 *
 * @example
 * ```ts
 * describeSelector({ azureAd: { id: '6150…', identityProviderId } }); // 'Entra ID group 6150…'
 * ```
 */
function describeSelector(rule: AccessSelectorRule): string {
  if ('email' in rule) return `email ${rule.email.email}`;
  if ('emailDomain' in rule) return `email domain ${rule.emailDomain.domain}`;
  if ('everyone' in rule) return 'everyone';
  if ('okta' in rule) return `Okta group ${rule.okta.name}`;
  if ('azureAd' in rule) return `Entra ID group ${rule.azureAd.id}`;
  if ('gsuite' in rule) return `Google Workspace group ${rule.gsuite.email}`;
  if ('githubOrganization' in rule) {
    const { name, team } = rule.githubOrganization;
    return team === undefined ? `GitHub organization ${name}` : `GitHub team ${name}/${team}`;
  }
  if ('saml' in rule) return `SAML attribute ${rule.saml.attributeName}=${rule.saml.attributeValue}`;
  return `OIDC claim ${rule.oidc.claimName}=${rule.oidc.claimValue}`;
}
