import { describe, expect, it } from 'vitest';
import type { AccessPolicy } from '../policies/access.ts';
import { policySlug, toCloudflarePolicyArgs, toCloudflareRule } from './access-rules.ts';

const IDP = '5f0c8a4e-3d1b-4c6a-9e2f-7b8d9c0a1b2c';
const withIdp = { identityProviderId: IDP };
const withoutIdp = { identityProviderId: undefined };

describe('toCloudflareRule', () => {
  it.each([
    [{ email: 'ada@example.com' }, { email: { email: 'ada@example.com' } }],
    [{ emailDomain: 'example.com' }, { emailDomain: { domain: 'example.com' } }],
    [{ everyone: true as const }, { everyone: {} }],
    [
      { oidcClaim: { name: 'groups', value: 'mcp-users' } },
      { oidc: { claimName: 'groups', claimValue: 'mcp-users', identityProviderId: IDP } },
    ],
  ])('maps %j to %j', (rule, expected) => {
    expect(toCloudflareRule(rule, 'p', withIdp)).toEqual(expected);
  });

  it('names the policy, the claim and the config key when an oidcClaim rule has no identity provider', () => {
    expect(() => toCloudflareRule({ oidcClaim: { name: 'groups', value: 'x' } }, 'staff', withoutIdp)).toThrow(
      /Access policy "staff" matches the OIDC claim "groups".*pulumi config set identityProviderId/,
    );
  });
});

describe('toCloudflarePolicyArgs', () => {
  it('maps include, require, exclude, decision and session duration', () => {
    const policy: AccessPolicy = {
      name: 'staff',
      decision: 'allow',
      include: [{ emailDomain: 'example.com' }, { email: 'guest@partner.example' }],
      require: [{ oidcClaim: { name: 'groups', value: 'mcp-users' } }],
      exclude: [{ email: 'former@example.com' }],
      sessionDuration: '8h',
    };
    expect(toCloudflarePolicyArgs(policy, withIdp)).toEqual({
      decision: 'allow',
      includes: [{ emailDomain: { domain: 'example.com' } }, { email: { email: 'guest@partner.example' } }],
      requires: [{ oidc: { claimName: 'groups', claimValue: 'mcp-users', identityProviderId: IDP } }],
      excludes: [{ email: { email: 'former@example.com' } }],
      sessionDuration: '8h',
    });
  });

  it('leaves out what the policy does not set', () => {
    expect(
      toCloudflarePolicyArgs({ name: 'all', decision: 'deny', include: [{ everyone: true }] }, withoutIdp),
    ).toEqual({
      decision: 'deny',
      includes: [{ everyone: {} }],
    });
  });

  it('refuses a policy without include rules', () => {
    expect(() => toCloudflarePolicyArgs({ name: 'empty', decision: 'allow', include: [] }, withoutIdp)).toThrow(
      'Access policy "empty" has no include rule',
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
