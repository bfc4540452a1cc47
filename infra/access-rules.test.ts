import type * as cloudflare from '@pulumi/cloudflare';
import { describe, expect, it } from 'vitest';
import type { AccessPolicy, AccessRule } from '../policies/access.ts';
import type { IdentityProvider } from '../policies/model/identity-provider.ts';
import { policySlug, toCloudflarePolicyArgs, toCloudflareRule, type CloudflareAccessRule } from './access-rules.ts';

const IDP = '5f0c8a4e-3d1b-4c6a-9e2f-7b8d9c0a1b2c';
const ENTRA_GROUP = '61503835-b6fe-4630-af88-de551dd59a20';
const provider = (type: IdentityProvider['type'], registeredClaims: string[] = []) => ({
  identityProvider: { type, id: IDP, groupsClaim: 'groups', registeredClaims },
});

describe('toCloudflareRule', () => {
  it.each<[AccessRule, CloudflareAccessRule]>([
    [{ email: 'ada@example.com' }, { email: { email: 'ada@example.com' } }],
    [{ emailDomain: 'example.com' }, { emailDomain: { domain: 'example.com' } }],
    [{ everyone: true }, { everyone: {} }],
  ])('maps %j to %j whatever the provider', (rule, expected) => {
    for (const type of ['okta', 'onetimepin', 'oidc'] as const) {
      expect(toCloudflareRule(rule, 'p', provider(type))).toEqual(expected);
    }
  });

  // Each provider's own selector (SDK 7.3.0 policies.d.ts: OktaGroupRule, AzureGroupRule, GSuiteGroupRule,
  // GitHubOrganizationRule, SAMLGroupRule, AccessOIDCClaimRule), typed as Pulumi's input below.
  it.each<[IdentityProvider['type'], string, string[], CloudflareAccessRule]>([
    ['okta', 'contractors', [], { okta: { name: 'contractors', identityProviderId: IDP } }],
    ['azureAD', ENTRA_GROUP, [], { azureAd: { id: ENTRA_GROUP, identityProviderId: IDP } }],
    [
      'google-apps',
      'contractors@example.com',
      [],
      { gsuite: { email: 'contractors@example.com', identityProviderId: IDP } },
    ],
    ['github', 'example-org', [], { githubOrganization: { name: 'example-org', identityProviderId: IDP } }],
    [
      'github',
      'example-org/contractors',
      [],
      { githubOrganization: { name: 'example-org', team: 'contractors', identityProviderId: IDP } },
    ],
    [
      'saml',
      'contractors',
      ['groups'],
      { saml: { attributeName: 'groups', attributeValue: 'contractors', identityProviderId: IDP } },
    ],
    [
      'oidc',
      'contractors',
      ['groups'],
      { oidc: { claimName: 'groups', claimValue: 'contractors', identityProviderId: IDP } },
    ],
  ])('turns group rules into the %s selector (%s)', (type, group, claims, expected) => {
    const rule = toCloudflareRule({ group }, 'p', provider(type, claims));
    expect(rule).toEqual(expected);
    expect(rule satisfies cloudflare.types.input.ZeroTrustAccessPolicyInclude).toBeTruthy();
  });

  it.each<[IdentityProvider['type'], string, string[], RegExp]>([
    ['onetimepin', 'contractors', [], /one-time PIN has no groups/],
    ['google', 'contractors', [], /Google \(personal accounts\) has no groups/],
    ['azureAD', 'contractors', [], /Object Id \(a UUID/],
    ['google-apps', 'contractors', [], /group's email address/],
    ['github', 'not an org/team', [], /organization, or organization\/team/],
    ['oidc', 'contractors', ['department'], /"groups" is not \(registered: department\)/],
    ['saml', 'contractors', [], /SAML attributes registered on it in Access, and "groups" is not/],
  ])('refuses a group rule %s cannot express (%s), naming the policy', (type, group, claims, why) => {
    expect(() => toCloudflareRule({ group }, 'no-contractors', provider(type, claims))).toThrow(why);
    expect(() => toCloudflareRule({ group }, 'no-contractors', provider(type, claims))).toThrow(
      /Access policy "no-contractors": group/,
    );
  });

  it('maps a custom claim rule only for a generic OIDC provider that registered the claim', () => {
    const rule: AccessRule = { oidcClaim: { name: 'department', value: 'finance' } };
    expect(toCloudflareRule(rule, 'p', provider('oidc', ['department']))).toEqual({
      oidc: { claimName: 'department', claimValue: 'finance', identityProviderId: IDP },
    });
    expect(() => toCloudflareRule(rule, 'p', provider('oidc', ['groups']))).toThrow(/not registered/);
    expect(() => toCloudflareRule(rule, 'p', provider('okta'))).toThrow(/only for a generic OIDC provider/);
  });
});

describe('toCloudflarePolicyArgs', () => {
  it('maps include, require, exclude, decision and session duration', () => {
    const policy: AccessPolicy = {
      name: 'staff',
      decision: 'allow',
      include: [{ emailDomain: 'example.com' }, { email: 'guest@partner.example' }],
      require: [{ group: 'mcp-users' }],
      exclude: [{ email: 'former@example.com' }],
      sessionDuration: '8h',
    };
    expect(toCloudflarePolicyArgs(policy, provider('okta'))).toEqual({
      decision: 'allow',
      includes: [{ emailDomain: { domain: 'example.com' } }, { email: { email: 'guest@partner.example' } }],
      requires: [{ okta: { name: 'mcp-users', identityProviderId: IDP } }],
      excludes: [{ email: { email: 'former@example.com' } }],
      sessionDuration: '8h',
    });
  });

  it('leaves out what the policy does not set', () => {
    expect(
      toCloudflarePolicyArgs({ name: 'all', decision: 'deny', include: [{ everyone: true }] }, provider('okta')),
    ).toEqual({
      decision: 'deny',
      includes: [{ everyone: {} }],
    });
  });

  it('refuses a policy without include rules', () => {
    expect(() => toCloudflarePolicyArgs({ name: 'empty', decision: 'allow', include: [] }, provider('okta'))).toThrow(
      'Access policy "empty" has no include rule',
    );
  });

  it('refuses a policy with rules the provider cannot express, in one message naming each', () => {
    const policy: AccessPolicy = {
      name: 'contractors-not-in-prod',
      decision: 'deny',
      include: [{ group: 'contractors' }, { group: 'interns' }],
    };
    expect(() => toCloudflarePolicyArgs(policy, provider('onetimepin'))).toThrow(
      /cannot express these 2 Access rules, so on Cloudflare it would match nobody:\n {2}- Access policy "contractors-not-in-prod": group "contractors": one-time PIN has no groups.*\n {2}- .*group "interns".*\nChange the rule in policies\/access\.yaml/,
    );
  });
});

describe('policySlug', () => {
  it.each([
    ['employees', 'employees'],
    ['Contractors (EU)', 'contractors-eu'],
    ['  on-call  team ', 'on-call-team'],
  ])('%j becomes %j', (name, slug) => {
    expect(policySlug(name)).toBe(slug);
  });
});
