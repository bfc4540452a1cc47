import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AccessPolicy, AccessRule } from '../model/access-policy.ts';
import type { IdentityProvider, IdentityProviderType } from '../model/identity-provider.ts';
import { decideAtAccess, type AccessGroup, type AccessIdentity } from './decide-at-access.ts';
import { decideSignIn } from './decide-sign-in.ts';
import { inexpressibleRules, toSelectorPolicy } from './provider-rules.ts';

const IDP = '5f0c8a4e-3d1b-4c6a-9e2f-7b8d9c0a1b2c';
const OTHER_IDP = '0c7a2c4e-0000-4000-8000-0000000000a1';

/** How each provider writes three groups, and how Access holds a membership of each. */
const PROVIDERS: Record<
  Exclude<IdentityProviderType, 'google' | 'onetimepin'>,
  { values: string[]; held: (value: string) => AccessGroup | undefined; claims?: true }
> = {
  okta: { values: ['engineering', 'support', 'contractors'], held: (name) => ({ name }) },
  azureAD: {
    values: [
      '11111111-1111-4111-8111-111111111111',
      '22222222-2222-4222-8222-222222222222',
      '33333333-3333-4333-8333-333333333333',
    ],
    held: (id) => ({ id, name: `name of ${id}` }),
  },
  'google-apps': {
    values: ['engineering@example.com', 'support@example.com', 'contractors@example.com'],
    held: (email) => ({ email, name: email.split('@')[0] }),
  },
  github: { values: ['example-org', 'example-org/support', 'example-org/contractors'], held: (name) => ({ name }) },
  saml: { values: ['engineering', 'support', 'contractors'], held: () => undefined, claims: true },
  oidc: { values: ['engineering', 'support', 'contractors'], held: () => undefined, claims: true },
};

function providerOf(type: IdentityProviderType): IdentityProvider & { id: string } {
  return { type, id: IDP, groupsClaim: 'groups', registeredClaims: ['groups'] };
}

/** The same person, as Access holds them after signing in through `type`. */
function atAccess(type: keyof typeof PROVIDERS, email: string, groups: string[]): AccessIdentity {
  const { held, claims } = PROVIDERS[type];
  return {
    email,
    identityProviderId: IDP,
    groups: groups.flatMap((value) => held(value) ?? []),
    claims: claims ? { groups } : {},
  };
}

describe('decideAtAccess', () => {
  const okta = providerOf('okta');
  const policies = [
    toSelectorPolicy({ name: 'contractors-not-in-prod', decision: 'deny', include: [{ group: 'contractors' }] }, okta),
    toSelectorPolicy({ name: 'employees', decision: 'allow', include: [{ emailDomain: 'example.com' }] }, okta),
  ];
  const mallory = { email: 'mallory@example.com', groups: [{ name: 'contractors' }], claims: {} };

  it('stops a contractor who signed in through the pinned provider', () => {
    expect(decideAtAccess(policies, { ...mallory, identityProviderId: IDP })).toEqual({
      allowed: false,
      policy: 'contractors-not-in-prod',
      reason: 'Denied by policy "contractors-not-in-prod": it includes Okta group contractors.',
    });
  });

  it('lets the same contractor in through another provider: the group selector names its provider', () => {
    // Why the application must pin its provider: through one-time PIN nobody has groups.
    expect(decideAtAccess(policies, { ...mallory, groups: [], identityProviderId: OTHER_IDP })).toMatchObject({
      allowed: true,
      policy: 'employees',
    });
  });

  it('evaluates in order, allow and deny alike: an allow above the deny lets the contractor in', () => {
    expect(decideAtAccess([...policies].reverse(), { ...mallory, identityProviderId: IDP })).toMatchObject({
      allowed: true,
      policy: 'employees',
    });
  });

  it('names every allow policy that missed when nobody matches', () => {
    expect(
      decideAtAccess(policies, { email: 'eve@outside.test', identityProviderId: IDP, groups: [], claims: {} }),
    ).toEqual({
      allowed: false,
      reason: 'Denied by default: no policy allows this person ("employees": no include rule matches).',
    });
  });
});

// Small alphabets, so random rules and people meet.
const emails = ['alice@example.com', 'mallory@example.com', 'eve@outside.test'];
const policyArbitrary = (values: string[]): fc.Arbitrary<AccessPolicy[]> => {
  const rule: fc.Arbitrary<AccessRule> = fc.oneof(
    fc.constantFrom(...values).map((group) => ({ group })),
    fc.constantFrom(...emails).map((email) => ({ email })),
    fc.constant({ emailDomain: 'example.com' }),
    fc.constant({ everyone: true as const }),
  );
  return fc
    .array(
      fc.record({
        decision: fc.constantFrom('allow' as const, 'deny' as const),
        include: fc.array(rule, { minLength: 1, maxLength: 2 }),
        require: fc.array(rule, { maxLength: 1 }),
        exclude: fc.array(rule, { maxLength: 1 }),
      }),
      { maxLength: 4 },
    )
    .map((list) => list.map((body, index) => ({ name: `policy-${index}`, ...body })));
};

describe('the emitted rules, decided at Access, agree with the engine on the rules as written', () => {
  it.each(Object.keys(PROVIDERS) as Array<keyof typeof PROVIDERS>)('for %s', (type) => {
    const provider = providerOf(type);
    const { values } = PROVIDERS[type];
    fc.assert(
      fc.property(
        policyArbitrary(values),
        fc.constantFrom(...emails),
        fc.subarray(values),
        (written, email, groups) => {
          expect(inexpressibleRules(written, provider)).toEqual([]);
          const emitted = written.map((policy) => toSelectorPolicy(policy, provider));
          const predicted = decideSignIn(written, { email, groups });
          const decided = decideAtAccess(emitted, atAccess(type, email, groups));
          expect({ allowed: decided.allowed, policy: decided.policy }).toEqual({
            allowed: predicted.allowed,
            policy: predicted.policy,
          });
        },
      ),
    );
  });
});
