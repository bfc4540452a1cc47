/**
 * Turns the project's Access policies (`policies/access.ts`, written for people) into the
 * arguments of `cloudflare.ZeroTrustAccessPolicy` (written for Cloudflare's API), with each
 * `group:` rule as the selector of the stack's identity provider (`policies/engine/provider-rules.ts`:
 * the same mapping the local stand-in decides with). Pure: no Pulumi runtime, so the mapping
 * is tested on its own.
 */
import type { AccessPolicy, AccessRule } from '../policies/access.ts';
import {
  InexpressibleRuleError,
  toSelectorPolicy,
  toSelectorRule,
  type AccessSelectorRule,
} from '../policies/engine/provider-rules.ts';
import type { IdentityProvider } from '../policies/model/identity-provider.ts';

/** One rule in Cloudflare's shape: an object with exactly one key. */
export type CloudflareAccessRule = AccessSelectorRule;

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
  /** The identity provider the stack pins (stack config `identityProviderId` and `identityProviderType`). */
  identityProvider: IdentityProvider & { id: string };
}

/**
 * Maps one policy to Cloudflare's policy arguments.
 *
 * @throws Error when the policy has no include rule, or uses a rule the stack's identity
 * provider cannot express (a group rule with one-time PIN, a claim not registered, …).
 *
 * @example
 * ```ts
 * toCloudflarePolicyArgs(
 *   { name: 'staff', decision: 'allow', include: [{ group: 'engineering' }] },
 *   { identityProvider: { type: 'okta', id: idpId, groupsClaim: 'groups', registeredClaims: [] } },
 * );
 * // { decision: 'allow', includes: [{ okta: { name: 'engineering', identityProviderId: idpId } }] }
 * ```
 */
export function toCloudflarePolicyArgs(policy: AccessPolicy, context: AccessRuleContext): CloudflareAccessPolicyArgs {
  if (policy.include.length === 0) {
    // Cloudflare requires an include rule; an empty one would be refused at deploy time, far from the cause.
    throw new Error(`Access policy "${policy.name}" has no include rule; it must match someone to mean anything.`);
  }
  try {
    const { name: _name, ...args } = toSelectorPolicy(policy, context.identityProvider);
    return args;
  } catch (error) {
    if (error instanceof InexpressibleRuleError)
      throw new Error(inexpressibleMessage(error.problems), { cause: error });
    throw error;
  }
}

/**
 * Maps one rule to Cloudflare's one-key rule object.
 *
 * @example
 * ```ts
 * toCloudflareRule({ email: 'ada@example.com' }, 'admins', { identityProvider });
 * // { email: { email: 'ada@example.com' } }
 * ```
 */
export function toCloudflareRule(
  rule: AccessRule,
  policyName: string,
  context: AccessRuleContext,
): CloudflareAccessRule {
  try {
    return toSelectorRule(rule, context.identityProvider);
  } catch (error) {
    if (error instanceof InexpressibleRuleError)
      throw new Error(
        inexpressibleMessage(error.problems.map((problem) => `Access policy "${policyName}": ${problem}.`)),
        { cause: error },
      );
    throw error;
  }
}

/** The one message a stack gets for every rule its provider cannot express. */
export function inexpressibleMessage(problems: readonly string[]): string {
  return (
    `The stack's identity provider cannot express ${problems.length === 1 ? 'this Access rule' : `these ${problems.length} Access rules`}, ` +
    'so on Cloudflare it would match nobody:\n' +
    problems.map((problem) => `  - ${problem}`).join('\n') +
    '\nChange the rule in policies/access.yaml, or the provider (identityProviderType); `npm run policy -- check` shows the same.'
  );
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
