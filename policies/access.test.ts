import { describe, expect, it } from 'vitest';
import { accessPolicies } from './access.ts';
import { decideSignIn, type SignInIdentity } from './engine/decide-sign-in.ts';

// Who the shipped Access policies let in. A change to access.ts that alters one of
// these rows is a change in who can reach the MCP server: update the row on purpose.
const expectations: { who: SignInIdentity; allowed: boolean; policy?: string }[] = [
  { who: { email: 'alice@example.com', groups: ['engineering'] }, allowed: true, policy: 'employees' },
  { who: { email: 'Bob@Example.com', groups: ['support'] }, allowed: true, policy: 'employees' },
  { who: { email: 'mallory@example.com', groups: ['contractors'] }, allowed: false },
  { who: { email: 'mallory@example.com', groups: ['engineering', 'contractors'] }, allowed: false },
  { who: { email: 'eve@outside.test', groups: ['engineering'] }, allowed: false },
  { who: { email: 'carol@sub.example.com', groups: [] }, allowed: false },
];

describe('shipped Access policies', () => {
  it.each(expectations)('$who.email in $who.groups → allowed: $allowed', ({ who, allowed, policy }) => {
    const decision = decideSignIn(accessPolicies, who);
    expect(decision.allowed).toBe(allowed);
    expect(decision.policy).toBe(policy);
  });

  it('have unique names, since decisions and logs name the policy', () => {
    const names = accessPolicies.map((policy) => policy.name);
    expect(new Set(names).size).toBe(names.length);
  });
});
