import { describe, expect, it } from 'vitest';
import type { ToolPolicies } from '../model/tool-policy.ts';
import { allowedRoots, mayGiveRoots } from './client-roots.ts';

const policies: ToolPolicies = {
  unlistedMethods: 'deny',
  rules: [
    { name: 'echo-for-all', effect: 'allow', who: [{ everyone: true }], tools: ['echo'] },
    { name: 'workspace', effect: 'allow', who: [{ group: 'engineering' }], roots: ['file:///workspace/*'] },
    { name: 'not-home', effect: 'deny', who: [{ everyone: true }], roots: ['file:///workspace/home*'] },
  ],
};
const alice = { email: 'alice@example.com', groups: ['engineering'] };
const bob = { email: 'bob@example.com', groups: ['support'] };

describe('roots', () => {
  it('only a person an allow rule with roots matches may give roots at all', () => {
    expect(mayGiveRoots(policies, alice)).toBe(true);
    expect(mayGiveRoots(policies, bob)).toBe(false);
    expect(mayGiveRoots({ unlistedMethods: 'allow', rules: [] }, alice)).toBe(false);
  });

  it('keeps the roots the policy allows in every reading, and nothing else', () => {
    const roots = [
      { uri: 'file:///workspace/app' },
      { uri: 'file:///workspace/home' },
      { uri: 'file:///workspace/h%6fme' },
      { uri: 'file:///etc' },
      { uri: 'file:///workspace/app/..' },
      { uri: 42 },
      null,
    ];
    expect(allowedRoots(policies, alice, roots)).toEqual([{ uri: 'file:///workspace/app' }]);
    expect(allowedRoots(policies, bob, roots)).toEqual([]);
  });
});
