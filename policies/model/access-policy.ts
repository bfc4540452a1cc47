/**
 * Access policies: who may sign in at all, in Cloudflare Access's vocabulary.
 *
 * How Cloudflare Access reads a policy:
 * - `include`: the person must match at least one of these rules;
 * - `require`: the person must match every one of these rules;
 * - `exclude`: the person must match none of these rules.
 * Policies are evaluated top to bottom, allow and deny alike, and the first that matches
 * decides; a person no policy matches is refused (deny by default). This is Access's own
 * order (https://developers.cloudflare.com/cloudflare-one/access-controls/policies/#cloudflare-access-policy-order-of-execution:
 * Block and Allow policies "are evaluated based on their order from top to bottom", and
 * "once a user matches an Allow or Block policy, evaluation stops"); `infra/` attaches the
 * policies with precedence 1..n in this order.
 */

/** The environment the local stack and its tests apply: the production rules, so what you try is what ships. */
export const LOCAL_ENVIRONMENT = 'local';

/** One condition on the person signing in. */
export type AccessRule =
  /** Exactly this email address (case does not matter). */
  | { email: string }
  /** Any email address at exactly this domain (no subdomains; case does not matter). */
  | { emailDomain: string }
  /** Anyone who signs in with the identity provider. */
  | { everyone: true }
  /**
   * Members of a group at the stack's identity provider, written as that provider knows it
   * (Okta: name; Entra ID: Object Id; Google Workspace: group email; GitHub: org or org/team;
   * generic SAML or OIDC: a value of the groups attribute or claim). Matched exactly.
   */
  | { group: string }
  /** A custom claim of a generic OIDC provider, e.g. `{ name: 'department', value: 'finance' }`. */
  | { oidcClaim: { name: string; value: string } };

/** A named Access policy, as the engine, the stand-in and `infra/` use it. */
export interface AccessPolicy {
  /** Unique name; shown in sign-in decisions and in Cloudflare's dashboard. */
  name: string;
  /** `allow` lets a matching person in; `deny` keeps a matching person out. */
  decision: 'allow' | 'deny';
  /** At least one must match. */
  include: AccessRule[];
  /** All must match. */
  require?: AccessRule[];
  /** None may match. */
  exclude?: AccessRule[];
  /** How long a sign-in by this policy lasts, in Cloudflare's format (e.g. `'24h'`). */
  sessionDuration?: string;
}

/** A policy as written in `policies/access.yaml`: optionally limited to some environments. */
export interface AccessPolicyEntry extends AccessPolicy {
  /** The environments (Pulumi stacks, or `local`) this policy applies in; absent = all. */
  environments?: string[];
}

/**
 * The policies that apply in one environment, in precedence order.
 *
 * @example
 * ```ts
 * policiesForEnvironment(entries, 'prod').map((policy) => policy.name); // ['contractors-not-in-prod', 'employees']
 * ```
 */
export function policiesForEnvironment(entries: readonly AccessPolicyEntry[], environment: string): AccessPolicy[] {
  return entries
    .filter((entry) => entry.environments === undefined || entry.environments.includes(environment))
    .map(({ environments: _environments, ...policy }) => policy);
}
