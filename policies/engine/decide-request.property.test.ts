import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RequestIdentity, ToolPolicies, ToolRule, WhoMatcher } from '../model/tool-policy.ts';
import { decideRequest, decideTarget } from './decide-request.ts';
import { filterList } from './filter-list.ts';
import { globMatches } from './glob.ts';
import { whoMatches } from './who-matches.ts';

// Small alphabets, so random rules and requests actually meet.
const groups = ['engineering', 'support', 'contractors'];
const names = ['echo', 'get-env', 'get-sum', 'admin-reset'];
const patterns = [...names, '*', 'get-*', 'admin-?eset', 'e*o'];

const who: fc.Arbitrary<WhoMatcher> = fc.oneof(
  fc.constantFrom(...groups).map((group) => ({ group })),
  fc.constantFrom('alice@example.com', 'bob@example.com').map((email) => ({ email })),
  fc.constant({ emailDomain: 'example.com' }),
  fc.constant({ everyone: true as const }),
);
const rule: fc.Arbitrary<Omit<ToolRule, 'name'>> = fc.record({
  effect: fc.constantFrom('allow' as const, 'deny' as const),
  who: fc.array(who, { minLength: 1, maxLength: 2 }),
  tools: fc.array(fc.constantFrom(...patterns), { minLength: 1, maxLength: 2 }),
});
// Rule names are unique in a valid file (check refuses duplicates), so here too.
const policies: fc.Arbitrary<ToolPolicies> = fc.record({
  unlistedMethods: fc.constantFrom('allow' as const, 'deny' as const),
  rules: fc
    .array(rule, { maxLength: 6 })
    .map((rules) => rules.map((body, index) => ({ name: `rule-${index}`, ...body }))),
});
const identity: fc.Arbitrary<RequestIdentity> = fc.record({
  email: fc.constantFrom('alice@example.com', 'bob@example.com', 'eve@outside.test'),
  groups: fc.subarray(groups),
});

const applies = (candidate: ToolRule, person: RequestIdentity, tool: string) =>
  whoMatches(candidate.who, person) && (candidate.tools ?? []).some((pattern) => globMatches(pattern, tool));

describe('decideRequest, for any policy, person and tool', () => {
  it('denies whenever a deny rule applies (deny beats allow)', () => {
    fc.assert(
      fc.property(policies, identity, fc.constantFrom(...names), (policy, person, tool) => {
        const decision = decideRequest(policy, person, { method: 'tools/call', params: { name: tool } });
        if (policy.rules.some((candidate) => candidate.effect === 'deny' && applies(candidate, person, tool)))
          expect(decision.allowed).toBe(false);
      }),
    );
  });

  it('allows only when an allow rule applies, and names it (deny by default)', () => {
    fc.assert(
      fc.property(policies, identity, fc.constantFrom(...names), (policy, person, tool) => {
        const decision = decideRequest(policy, person, { method: 'tools/call', params: { name: tool } });
        if (decision.allowed) {
          const decider = policy.rules.find(
            (candidate) => candidate.name === decision.rule && candidate.effect === 'allow',
          );
          expect(decider && applies(decider, person, tool)).toBe(true);
        } else if (!policy.rules.some((candidate) => applies(candidate, person, tool))) {
          expect(decision.rule).toBe('default-deny');
        }
      }),
    );
  });

  it('lists exactly the tools a call would be allowed for (no argument constraints here)', () => {
    fc.assert(
      fc.property(policies, identity, (policy, person) => {
        const listed = filterList(
          policy,
          person,
          'tools',
          names.map((name) => ({ name })),
        ).map((tool) => tool.name);
        expect(listed).toEqual(names.filter((name) => decideTarget(policy, person, { kind: 'tool', name }).allowed));
      }),
    );
  });
});
