import { describe, expect, it } from 'vitest';
import { accessPolicies, accessPoliciesFor, accessPolicyEntries } from './access.ts';
import { decideSignIn, type SignInIdentity } from './engine/decide-sign-in.ts';

// Who the shipped Access policies (policies/access.yaml) let in, per environment. A change
// to the file that alters one of these rows is a change in who can reach the MCP server:
// update the row on purpose.
const expectations: { environment: string; who: SignInIdentity; allowed: boolean; policy?: string }[] = [
  {
    environment: 'prod',
    who: { email: 'alice@example.com', groups: ['engineering'] },
    allowed: true,
    policy: 'employees',
  },
  { environment: 'prod', who: { email: 'Bob@Example.com', groups: ['support'] }, allowed: true, policy: 'employees' },
  {
    environment: 'prod',
    who: { email: 'mallory@example.com', groups: ['contractors'] },
    allowed: false,
    policy: 'contractors-not-in-prod',
  },
  {
    environment: 'prod',
    who: { email: 'mallory@example.com', groups: ['engineering', 'contractors'] },
    allowed: false,
    policy: 'contractors-not-in-prod',
  },
  { environment: 'prod', who: { email: 'eve@outside.test', groups: ['engineering'] }, allowed: false },
  { environment: 'prod', who: { email: 'carol@sub.example.com', groups: [] }, allowed: false },
  {
    environment: 'dev',
    who: { email: 'mallory@example.com', groups: ['contractors'] },
    allowed: true,
    policy: 'employees',
  },
  { environment: 'dev', who: { email: 'eve@outside.test', groups: [] }, allowed: false },
  {
    environment: 'local',
    who: { email: 'mallory@example.com', groups: ['contractors'] },
    allowed: false,
    policy: 'contractors-not-in-prod',
  },
];

describe('shipped Access policies', () => {
  it.each(expectations)(
    '$environment: $who.email in $who.groups → allowed: $allowed',
    ({ environment, who, allowed, policy }) => {
      const decision = decideSignIn(accessPoliciesFor(environment), who);
      expect(decision.allowed).toBe(allowed);
      expect(decision.policy).toBe(policy);
    },
  );

  it('the local stack applies the same policies as prod, so what is tried locally is what ships', () => {
    expect(accessPolicies).toEqual(accessPoliciesFor('prod'));
  });

  it('keep the contractors deny above the employees allow, since Access stops at the first match', () => {
    const names = accessPoliciesFor('prod').map((policy) => policy.name);
    expect(names.indexOf('contractors-not-in-prod')).toBeLessThan(names.indexOf('employees'));
  });

  it('have unique names, since decisions and logs name the policy', () => {
    const names = accessPolicyEntries.map((policy) => policy.name);
    expect(new Set(names).size).toBe(names.length);
  });
});
