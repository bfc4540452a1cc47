/**
 * Turns the project's rules into the selectors Cloudflare Access has for the stack's identity
 * provider, or says why a rule cannot be expressed there. A `group:` rule means something
 * different per provider, and Access only offers each group selector for its own kind of
 * provider (https://developers.cloudflare.com/cloudflare-one/access-controls/policies/#selectors),
 * so a rule that cannot be expressed is refused here, before `policy check` passes or `infra/`
 * deploys a rule that would silently match nobody. Pure: no I/O. The selector shapes are those
 * of `ZeroTrustAccessPolicyInclude` in `@pulumi/cloudflare` 6.22.1 (the API's `okta`, `azureAD`,
 * `gsuite`, `github-organization`, `saml` and `oidc` rules in the `cloudflare` SDK 7.3.0,
 * `resources/zero-trust/access/applications/policies.d.ts`).
 */
import type { AccessPolicy, AccessRule } from '../model/access-policy.ts';
import { IDENTITY_PROVIDER_KINDS, type IdentityProvider } from '../model/identity-provider.ts';

/** One Access rule in Cloudflare's vocabulary: an object with exactly one key. */
export type AccessSelectorRule =
  | { email: { email: string } }
  | { emailDomain: { domain: string } }
  | { everyone: Record<string, never> }
  /** Okta: a group by name. */
  | { okta: { name: string; identityProviderId: string } }
  /** Entra ID: a group by Object Id. */
  | { azureAd: { id: string; identityProviderId: string } }
  /** Google Workspace: a group by its email. */
  | { gsuite: { email: string; identityProviderId: string } }
  /** GitHub: an organization, or one team of it. */
  | { githubOrganization: { name: string; team?: string; identityProviderId: string } }
  /** Generic SAML: an attribute name and value. */
  | { saml: { attributeName: string; attributeValue: string; identityProviderId: string } }
  /** Generic OIDC: a claim name and value. */
  | { oidc: { claimName: string; claimValue: string; identityProviderId: string } };

/** A policy with its rules in Cloudflare's vocabulary, in the order it is attached. */
export interface AccessSelectorPolicy {
  name: string;
  decision: 'allow' | 'deny';
  includes: AccessSelectorRule[];
  requires?: AccessSelectorRule[];
  excludes?: AccessSelectorRule[];
  sessionDuration?: string;
}

/** A rule the stack's identity provider cannot express; the message names the policy, the rule and the way out. */
export class InexpressibleRuleError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(problems.join('\n'));
    this.name = 'InexpressibleRuleError';
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const GITHUB_ORG = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/;

/**
 * Why `rule` cannot be expressed for `provider`, or `undefined` when it can.
 *
 * @example
 * ```ts
 * ruleProblem({ group: 'contractors' }, { type: 'onetimepin', groupsClaim: 'groups', registeredClaims: [] });
 * // 'group "contractors": one-time PIN has no groups, …'
 * ```
 */
export function ruleProblem(rule: AccessRule, provider: IdentityProvider): string | undefined {
  const kind = IDENTITY_PROVIDER_KINDS[provider.type];
  if ('group' in rule) {
    const value = rule.group;
    const named = `group ${JSON.stringify(value)}`;
    switch (provider.type) {
      case 'okta':
        return undefined;
      case 'azureAD':
        return UUID.test(value)
          ? undefined
          : `${named}: Entra ID group rules match the group's Object Id (a UUID such as 61503835-b6fe-4630-af88-de551dd59a20), not its name; write the Object Id from the Entra admin center`;
      case 'google-apps':
        return EMAIL.test(value)
          ? undefined
          : `${named}: Google Workspace group rules match the group's email address (e.g. contractors@example.com)`;
      case 'github': {
        const [org, team] = splitGithubGroup(value);
        return GITHUB_ORG.test(org) && team !== ''
          ? undefined
          : `${named}: GitHub group rules name an organization, or organization/team (e.g. example-org/contractors)`;
      }
      case 'saml':
      case 'oidc':
        return provider.registeredClaims.includes(provider.groupsClaim)
          ? undefined
          : `${named}: a ${kind.label} provider passes on only the ${provider.type === 'saml' ? 'SAML attributes' : 'OIDC claims'} registered on it in Access, and "${provider.groupsClaim}" is not (registered: ${provider.registeredClaims.join(', ') || 'none'}); register it on the provider (Zero Trust: Settings, Authentication) and list it in identityProviderClaims`;
      default:
        return `${named}: ${kind.label} has no groups, so Access cannot match a group rule and it would never match; use email or emailDomain rules, or pin a provider with groups`;
    }
  }
  if ('oidcClaim' in rule) {
    const named = `OIDC claim ${rule.oidcClaim.name}=${JSON.stringify(rule.oidcClaim.value)}`;
    if (provider.type !== 'oidc')
      return `${named}: Access matches OIDC claims only for a generic OIDC provider, and this stack pins ${kind.label}`;
    if (!provider.registeredClaims.includes(rule.oidcClaim.name))
      return `${named}: the claim "${rule.oidcClaim.name}" is not registered on the provider in Access (registered: ${provider.registeredClaims.join(', ') || 'none'}); register it and list it in identityProviderClaims`;
  }
  return undefined;
}

/**
 * Every rule of `policies` that `provider` cannot express, one sentence each, naming the policy.
 *
 * @example
 * ```ts
 * inexpressibleRules(accessPoliciesFor('prod'), { type: 'onetimepin', groupsClaim: 'groups', registeredClaims: [] });
 * // ['Access policy "contractors-not-in-prod": group "contractors": one-time PIN has no groups, …']
 * ```
 */
export function inexpressibleRules(policies: readonly AccessPolicy[], provider: IdentityProvider): string[] {
  return policies.flatMap((policy) =>
    [...policy.include, ...(policy.require ?? []), ...(policy.exclude ?? [])].flatMap((rule) => {
      const problem = ruleProblem(rule, provider);
      return problem ? [`Access policy "${policy.name}": ${problem}.`] : [];
    }),
  );
}

/**
 * One rule as the selector Access has for it at `provider`.
 *
 * @throws InexpressibleRuleError when the provider cannot express it.
 *
 * @example
 * ```ts
 * toSelectorRule({ group: 'contractors' }, { type: 'okta', id: idpId, groupsClaim: 'groups', registeredClaims: [] });
 * // { okta: { name: 'contractors', identityProviderId: idpId } }
 * ```
 */
export function toSelectorRule(rule: AccessRule, provider: IdentityProvider & { id: string }): AccessSelectorRule {
  if ('email' in rule) return { email: { email: rule.email } };
  if ('emailDomain' in rule) return { emailDomain: { domain: rule.emailDomain } };
  if ('everyone' in rule) return { everyone: {} };
  const problem = ruleProblem(rule, provider);
  if (problem) throw new InexpressibleRuleError([problem]);
  const identityProviderId = provider.id;
  if ('oidcClaim' in rule)
    return { oidc: { claimName: rule.oidcClaim.name, claimValue: rule.oidcClaim.value, identityProviderId } };
  const value = rule.group;
  switch (provider.type) {
    case 'okta':
      return { okta: { name: value, identityProviderId } };
    case 'azureAD':
      return { azureAd: { id: value, identityProviderId } };
    case 'google-apps':
      return { gsuite: { email: value, identityProviderId } };
    case 'github': {
      const [name, team] = splitGithubGroup(value);
      return { githubOrganization: { name, ...(team === undefined ? {} : { team }), identityProviderId } };
    }
    case 'saml':
      return { saml: { attributeName: provider.groupsClaim, attributeValue: value, identityProviderId } };
    default:
      return { oidc: { claimName: provider.groupsClaim, claimValue: value, identityProviderId } };
  }
}

/**
 * A policy with every rule as Access's selector at `provider`, in the same order.
 *
 * @throws InexpressibleRuleError listing every rule the provider cannot express.
 *
 * @example
 * ```ts
 * accessPoliciesFor('prod').map((policy) => toSelectorPolicy(policy, provider));
 * ```
 */
export function toSelectorPolicy(
  policy: AccessPolicy,
  provider: IdentityProvider & { id: string },
): AccessSelectorPolicy {
  const problems = inexpressibleRules([policy], provider);
  if (problems.length > 0) throw new InexpressibleRuleError(problems);
  const map = (rules: readonly AccessRule[]) => rules.map((rule) => toSelectorRule(rule, provider));
  return {
    name: policy.name,
    decision: policy.decision,
    includes: map(policy.include),
    ...(policy.require?.length ? { requires: map(policy.require) } : {}),
    ...(policy.exclude?.length ? { excludes: map(policy.exclude) } : {}),
    ...(policy.sessionDuration ? { sessionDuration: policy.sessionDuration } : {}),
  };
}

/** `org/team` → `['org', 'team']`; `org` → `['org', undefined]`. */
function splitGithubGroup(value: string): [string, string | undefined] {
  const slash = value.indexOf('/');
  return slash === -1 ? [value, undefined] : [value.slice(0, slash), value.slice(slash + 1)];
}
