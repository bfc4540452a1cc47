import { describe, expect, it } from 'vitest';
import type { AccessPolicy } from '../model/access-policy.ts';
import { decideSignIn, type SignInIdentity } from './decide-sign-in.ts';

const alice: SignInIdentity = { email: 'alice@example.com', groups: ['engineering'] };
const mallory: SignInIdentity = { email: 'mallory@example.com', groups: ['contractors'] };
const eve: SignInIdentity = { email: 'eve@outside.test', groups: [] };

const allowExampleDomain: AccessPolicy = {
  name: 'example-domain',
  decision: 'allow',
  include: [{ emailDomain: 'example.com' }],
};
const allowEveryone: AccessPolicy = { name: 'everyone', decision: 'allow', include: [{ everyone: true }] };
const denyMallory: AccessPolicy = {
  name: 'block-mallory',
  decision: 'deny',
  include: [{ email: 'mallory@example.com' }],
};

interface Case {
  rule: string;
  policies: AccessPolicy[];
  identity: SignInIdentity;
  allowed: boolean;
  policy?: string;
  reason: string | RegExp;
}

const cases: Case[] = [
  // include: any of
  {
    rule: 'include matches when any one of its rules matches',
    policies: [
      { name: 'p', decision: 'allow', include: [{ email: 'bob@example.com' }, { emailDomain: 'example.com' }] },
    ],
    identity: alice,
    allowed: true,
    policy: 'p',
    reason: 'Allowed by policy "p": it includes email domain example.com.',
  },
  {
    rule: 'a policy whose include rules all miss does not match',
    policies: [{ name: 'p', decision: 'allow', include: [{ email: 'bob@example.com' }] }],
    identity: alice,
    allowed: false,
    reason: 'Denied by default: no policy allows this person ("p": no include rule matches).',
  },
  {
    rule: 'a policy with an empty include matches nobody',
    policies: [{ name: 'p', decision: 'allow', include: [] }],
    identity: alice,
    allowed: false,
    reason: /"p": no include rule matches/,
  },
  // require: all of
  {
    rule: 'require matches only when every one of its rules matches (one unmet)',
    policies: [
      {
        name: 'engineers',
        decision: 'allow',
        include: [{ everyone: true }],
        require: [{ emailDomain: 'example.com' }, { oidcClaim: { name: 'groups', value: 'engineering' } }],
      },
    ],
    identity: mallory,
    allowed: false,
    reason: /"engineers": requires OIDC claim groups=engineering/,
  },
  {
    rule: 'require matches when every one of its rules matches',
    policies: [
      {
        name: 'engineers',
        decision: 'allow',
        include: [{ everyone: true }],
        require: [{ emailDomain: 'example.com' }, { oidcClaim: { name: 'groups', value: 'engineering' } }],
      },
    ],
    identity: alice,
    allowed: true,
    policy: 'engineers',
    reason: /Allowed by policy "engineers"/,
  },
  // exclude: none of
  {
    rule: 'exclude keeps out a person who matches any exclude rule',
    policies: [
      {
        ...allowExampleDomain,
        exclude: [{ email: 'nobody@example.com' }, { oidcClaim: { name: 'groups', value: 'contractors' } }],
      },
    ],
    identity: mallory,
    allowed: false,
    reason:
      'Denied by default: no policy allows this person ("example-domain": excludes OIDC claim groups=contractors).',
  },
  {
    rule: 'exclude lets through a person who matches no exclude rule',
    policies: [{ ...allowExampleDomain, exclude: [{ oidcClaim: { name: 'groups', value: 'contractors' } }] }],
    identity: alice,
    allowed: true,
    policy: 'example-domain',
    reason: /Allowed/,
  },
  // Access's order: allow and deny alike, top to bottom, first match decides
  {
    rule: 'a deny policy above an allow policy stops the person it matches',
    policies: [denyMallory, allowEveryone],
    identity: mallory,
    allowed: false,
    policy: 'block-mallory',
    reason: 'Denied by policy "block-mallory": it includes email mallory@example.com.',
  },
  {
    rule: 'an allow policy above a deny policy lets the person in before the deny is reached (Access order)',
    policies: [allowEveryone, denyMallory],
    identity: mallory,
    allowed: true,
    policy: 'everyone',
    reason: 'Allowed by policy "everyone": it includes everyone.',
  },
  {
    rule: 'a deny policy that does not match leaves the decision to the allow policies',
    policies: [denyMallory, allowEveryone],
    identity: alice,
    allowed: true,
    policy: 'everyone',
    reason: 'Allowed by policy "everyone": it includes everyone.',
  },
  {
    rule: 'among allow policies the first in precedence order decides',
    policies: [allowExampleDomain, allowEveryone],
    identity: alice,
    allowed: true,
    policy: 'example-domain',
    reason: /example-domain/,
  },
  {
    rule: 'among deny policies the first in precedence order decides',
    policies: [
      { name: 'deny-first', decision: 'deny', include: [{ emailDomain: 'example.com' }] },
      { name: 'deny-second', decision: 'deny', include: [{ everyone: true }] },
    ],
    identity: alice,
    allowed: false,
    policy: 'deny-first',
    reason: /deny-first/,
  },
  // deny by default
  {
    rule: 'no policies at all: denied by default',
    policies: [],
    identity: alice,
    allowed: false,
    reason: 'Denied by default: no policy allows anyone.',
  },
  {
    rule: 'only deny policies that do not match: denied by default',
    policies: [denyMallory],
    identity: alice,
    allowed: false,
    reason: 'Denied by default: no policy allows anyone.',
  },
  {
    rule: 'every allow policy missing is named in the reason',
    policies: [allowExampleDomain, { name: 'bob-only', decision: 'allow', include: [{ email: 'bob@example.com' }] }],
    identity: eve,
    allowed: false,
    reason:
      'Denied by default: no policy allows this person ("example-domain": no include rule matches; "bob-only": no include rule matches).',
  },
  // rule semantics
  {
    rule: 'email compares case-insensitively',
    policies: [{ name: 'p', decision: 'allow', include: [{ email: 'Alice@Example.COM' }] }],
    identity: { email: 'aLiCe@example.com', groups: [] },
    allowed: true,
    policy: 'p',
    reason: /Allowed/,
  },
  {
    rule: 'email domain compares case-insensitively',
    policies: [{ name: 'p', decision: 'allow', include: [{ emailDomain: 'EXAMPLE.com' }] }],
    identity: { email: 'alice@Example.Com', groups: [] },
    allowed: true,
    policy: 'p',
    reason: /Allowed/,
  },
  {
    rule: 'email domain does not match subdomains',
    policies: [allowExampleDomain],
    identity: { email: 'carol@sub.example.com', groups: [] },
    allowed: false,
    reason: /no include rule matches/,
  },
  {
    rule: 'email domain does not match a longer domain ending in the same text',
    policies: [allowExampleDomain],
    identity: { email: 'carol@notexample.com', groups: [] },
    allowed: false,
    reason: /no include rule matches/,
  },
  {
    rule: 'email domain never matches an address without @',
    policies: [allowExampleDomain],
    identity: { email: 'example.com', groups: [] },
    allowed: false,
    reason: /no include rule matches/,
  },
  {
    rule: 'a group rule matches when the group is one of the person’s groups, exactly',
    policies: [{ name: 'p', decision: 'deny', include: [{ group: 'contractors' }] }, allowEveryone],
    identity: mallory,
    allowed: false,
    policy: 'p',
    reason: 'Denied by policy "p": it includes group contractors.',
  },
  {
    rule: 'a group rule compares exactly (case-sensitive), as the provider writes the value',
    policies: [{ name: 'p', decision: 'deny', include: [{ group: 'Contractors' }] }, allowEveryone],
    identity: mallory,
    allowed: true,
    policy: 'everyone',
    reason: /Allowed/,
  },
  {
    rule: 'a custom OIDC claim matches the identity’s values for it',
    policies: [{ name: 'p', decision: 'allow', include: [{ oidcClaim: { name: 'department', value: 'finance' } }] }],
    identity: { ...alice, claims: { department: ['finance'] } },
    allowed: true,
    policy: 'p',
    reason: 'Allowed by policy "p": it includes OIDC claim department=finance.',
  },
  {
    rule: 'everyone matches anyone',
    policies: [allowEveryone],
    identity: eve,
    allowed: true,
    policy: 'everyone',
    reason: /Allowed/,
  },
  {
    rule: 'an OIDC groups claim matches when the group is one of the person’s groups',
    policies: [{ name: 'p', decision: 'allow', include: [{ oidcClaim: { name: 'groups', value: 'support' } }] }],
    identity: { email: 'bob@example.com', groups: ['engineering', 'support'] },
    allowed: true,
    policy: 'p',
    reason: 'Allowed by policy "p": it includes OIDC claim groups=support.',
  },
  {
    rule: 'an OIDC claim value compares exactly (case-sensitive)',
    policies: [{ name: 'p', decision: 'allow', include: [{ oidcClaim: { name: 'groups', value: 'Engineering' } }] }],
    identity: alice,
    allowed: false,
    reason: /no include rule matches/,
  },
  {
    rule: 'an OIDC email claim matches the email',
    policies: [
      { name: 'p', decision: 'allow', include: [{ oidcClaim: { name: 'email', value: 'alice@example.com' } }] },
    ],
    identity: alice,
    allowed: true,
    policy: 'p',
    reason: /Allowed/,
  },
  {
    rule: 'an OIDC claim the identity does not carry never matches',
    policies: [
      { name: 'p', decision: 'allow', include: [{ oidcClaim: { name: 'department', value: 'engineering' } }] },
    ],
    identity: alice,
    allowed: false,
    reason: /no include rule matches/,
  },
];

/** A case's reason: the exact text, or a pattern it must match. */
const exactlyOrMatching = (reason: string | RegExp) =>
  typeof reason === 'string' ? reason : expect.stringMatching(reason);

describe('decideSignIn', () => {
  it.each(cases)('$rule', ({ policies, identity, allowed, policy, reason }) => {
    const decision = decideSignIn(policies, identity);
    expect(decision.allowed).toBe(allowed);
    expect(decision.policy).toBe(policy);
    expect(decision.reason).toEqual(exactlyOrMatching(reason));
  });
});
