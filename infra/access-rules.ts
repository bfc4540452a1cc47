/**
 * Turns the project's Access policies (`policies/access.ts`, written for people) into the
 * arguments of `cloudflare.ZeroTrustAccessPolicy` (written for Cloudflare's API). Pure: no
 * Pulumi runtime, so the mapping is tested on its own.
 */
import type { AccessPolicy, AccessRule } from '../policies/access.ts';

/** One rule in Cloudflare's shape: an object with exactly one key. */
export type CloudflareAccessRule =
  | { email: { email: string } }
  | { emailDomain: { domain: string } }
  | { everyone: Record<string, never> }
  | { oidc: { claimName: string; claimValue: string; identityProviderId: string } };

/** The part of `ZeroTrustAccessPolicyArgs` that comes from a policy (not the account or the name). */
export interface CloudflareAccessPolicyArgs {
  decision: 'allow' | 'deny';
  includes: CloudflareAccessRule[];
  requires?: CloudflareAccessRule[];
  excludes?: CloudflareAccessRule[];
  sessionDuration?: string;
}

/** What the mapping needs from the stack. */
export interface AccessRuleContext {
  /** The Access identity provider whose claims `oidcClaim` rules match (stack config `identityProviderId`). */
  identityProviderId: string | undefined;
}

/**
 * Maps one policy to Cloudflare's policy arguments.
 *
 * @throws Error when the policy has no include rule, or uses an `oidcClaim` rule while the
 * stack has no `identityProviderId`.
 *
 * @example
 * ```ts
 * toCloudflarePolicyArgs(
 *   { name: 'staff', decision: 'allow', include: [{ emailDomain: 'example.com' }] },
 *   { identityProviderId: undefined },
 * );
 * // { decision: 'allow', includes: [{ emailDomain: { domain: 'example.com' } }] }
 * ```
 */
export function toCloudflarePolicyArgs(policy: AccessPolicy, context: AccessRuleContext): CloudflareAccessPolicyArgs {
  if (policy.include.length === 0) {
    // Cloudflare requires an include rule; an empty one would be refused at deploy time, far from the cause.
    throw new Error(`Access policy "${policy.name}" has no include rule; it must match someone to mean anything.`);
  }
  const map = (rules: readonly AccessRule[]) => rules.map((rule) => toCloudflareRule(rule, policy.name, context));
  return {
    decision: policy.decision,
    includes: map(policy.include),
    ...(policy.require?.length ? { requires: map(policy.require) } : {}),
    ...(policy.exclude?.length ? { excludes: map(policy.exclude) } : {}),
    ...(policy.sessionDuration ? { sessionDuration: policy.sessionDuration } : {}),
  };
}

/**
 * Maps one rule to Cloudflare's one-key rule object.
 *
 * @example
 * ```ts
 * toCloudflareRule({ email: 'ada@example.com' }, 'admins', { identityProviderId: undefined });
 * // { email: { email: 'ada@example.com' } }
 * ```
 */
export function toCloudflareRule(
  rule: AccessRule,
  policyName: string,
  context: AccessRuleContext,
): CloudflareAccessRule {
  if ('email' in rule) return { email: { email: rule.email } };
  if ('emailDomain' in rule) return { emailDomain: { domain: rule.emailDomain } };
  if ('everyone' in rule) return { everyone: {} };
  if ('oidcClaim' in rule) {
    if (!context.identityProviderId) {
      throw new Error(
        `Access policy "${policyName}" matches the OIDC claim "${rule.oidcClaim.name}", and Cloudflare needs to know ` +
          'which identity provider issues it. Set it: pulumi config set identityProviderId <id> ' +
          "(Zero Trust dashboard: Settings, Authentication, the provider's id).",
      );
    }
    return {
      oidc: {
        claimName: rule.oidcClaim.name,
        claimValue: rule.oidcClaim.value,
        identityProviderId: context.identityProviderId,
      },
    };
  }
  // Reached only when policies/access.ts gains a rule kind this mapping does not know yet.
  throw new Error(`Access policy "${policyName}" has a rule infra/ cannot map yet: ${JSON.stringify(rule)}`);
}

/**
 * The name part a policy contributes to its physical name: lowercase, hyphen-separated.
 *
 * @example
 * ```ts
 * policySlug('Contractors (EU)'); // 'contractors-eu'
 * ```
 */
export function policySlug(policyName: string): string {
  return policyName
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}
