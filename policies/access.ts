/**
 * Access policies: who may sign in to secure-mcp at all.
 *
 * This file is the source of truth. `infra/` turns each policy into a Cloudflare Access
 * policy on the Access for SaaS application; the local Access stand-in (`dev/`) applies
 * the same list at its login page, so a change can be tried before it is deployed.
 *
 * How Cloudflare Access reads a policy:
 * - `include`: the person must match at least one of these rules;
 * - `require`: the person must match every one of these rules;
 * - `exclude`: the person must match none of these rules.
 * Deny policies are checked before allow policies, then the list order decides.
 * A person no policy matches is refused (deny by default).
 */

/** One condition on the person signing in, in Cloudflare Access's vocabulary. */
export type AccessRule =
  /** Exactly this email address (case does not matter). */
  | { email: string }
  /** Any email address at exactly this domain (no subdomains; case does not matter). */
  | { emailDomain: string }
  /** Anyone who signs in with the identity provider. */
  | { everyone: true }
  /** A claim from the identity provider, e.g. `{ name: 'groups', value: 'contractors' }`. */
  | { oidcClaim: { name: string; value: string } };

/** A named Access policy. */
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

/** The project's Access policies, in precedence order (first = highest). */
export const accessPolicies: AccessPolicy[] = [
  {
    name: 'employees',
    decision: 'allow',
    include: [{ emailDomain: 'example.com' }],
    exclude: [{ oidcClaim: { name: 'groups', value: 'contractors' } }],
    sessionDuration: '24h',
  },
];
