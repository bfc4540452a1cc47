import { describe, expect, it } from 'vitest';
import type { RequestIdentity, ToolPolicies, ToolRule } from '../model/tool-policy.ts';
import { decideRequest } from './decide-request.ts';

const alice: RequestIdentity = { email: 'alice@example.com', groups: ['engineering'] };
const bob: RequestIdentity = { email: 'bob@example.com', groups: ['support'] };

const policiesOf = (rules: ToolRule[], unlistedMethods: 'allow' | 'deny' = 'deny'): ToolPolicies => ({
  unlistedMethods,
  rules,
});
const callTool = (name: string, args?: Record<string, unknown>) => ({
  method: 'tools/call',
  params: { name, arguments: args },
});
const allowEngineering: ToolRule = {
  name: 'eng',
  effect: 'allow',
  who: [{ group: 'engineering' }],
  tools: ['*'],
  resources: ['*'],
  prompts: ['*'],
};

describe('decideRequest: one test per semantic rule', () => {
  it('denies by default when no rule allows', () => {
    expect(decideRequest(policiesOf([allowEngineering]), bob, callTool('echo'))).toEqual({
      allowed: false,
      rule: 'default-deny',
      reason: 'Denied by default: no rule allows tool echo for this person.',
      target: { kind: 'tool', name: 'echo' },
    });
  });

  it('allows by the first allow rule that matches person and name', () => {
    const decision = decideRequest(policiesOf([allowEngineering]), alice, callTool('echo'));
    expect(decision).toMatchObject({ allowed: true, rule: 'eng' });
  });

  it('a deny rule beats an allow rule, even when the allow rule comes first', () => {
    const deny: ToolRule = { name: 'no-env', effect: 'deny', who: [{ everyone: true }], tools: ['get-env'] };
    expect(decideRequest(policiesOf([allowEngineering, deny]), alice, callTool('get-env'))).toMatchObject({
      allowed: false,
      rule: 'no-env',
    });
  });

  it('a deny rule for other people does not touch this person', () => {
    const deny: ToolRule = {
      name: 'no-env-for-support',
      effect: 'deny',
      who: [{ group: 'support' }],
      tools: ['get-env'],
    };
    expect(decideRequest(policiesOf([deny, allowEngineering]), alice, callTool('get-env'))).toMatchObject({
      allowed: true,
      rule: 'eng',
    });
  });

  it('who matches on any one entry: email (any case), email domain, group, everyone', () => {
    const rule = (who: ToolRule['who']): ToolPolicies =>
      policiesOf([{ name: 'r', effect: 'allow', who, tools: ['echo'] }]);
    expect(decideRequest(rule([{ email: 'BOB@example.com' }]), bob, callTool('echo')).allowed).toBe(true);
    expect(decideRequest(rule([{ emailDomain: 'Example.COM' }]), bob, callTool('echo')).allowed).toBe(true);
    expect(decideRequest(rule([{ emailDomain: 'example.co' }]), bob, callTool('echo')).allowed).toBe(false);
    expect(decideRequest(rule([{ group: 'nobody' }, { group: 'support' }]), bob, callTool('echo')).allowed).toBe(true);
    expect(decideRequest(rule([{ group: 'Support' }]), bob, callTool('echo')).allowed).toBe(false);
    expect(decideRequest(rule([{ everyone: true }]), bob, callTool('echo')).allowed).toBe(true);
  });

  it('matches tool names by glob: * any run, ? one character, the rest literal', () => {
    const rule = (tools: string[]) => policiesOf([{ name: 'r', effect: 'allow', who: [{ everyone: true }], tools }]);
    expect(decideRequest(rule(['get-*']), bob, callTool('get-sum')).allowed).toBe(true);
    expect(decideRequest(rule(['get-*']), bob, callTool('echo')).allowed).toBe(false);
    expect(decideRequest(rule(['get-su?']), bob, callTool('get-sum')).allowed).toBe(true);
    expect(decideRequest(rule(['get.sum']), bob, callTool('get-sum')).allowed).toBe(false);
  });

  it('tools, resources and prompts are matched by their own lists', () => {
    const policies = policiesOf([
      { name: 'r', effect: 'allow', who: [{ everyone: true }], resources: ['demo://*'], prompts: ['simple-*'] },
    ]);
    expect(decideRequest(policies, bob, { method: 'resources/read', params: { uri: 'demo://a/b' } })).toMatchObject({
      allowed: true,
      target: { kind: 'resource' },
    });
    expect(decideRequest(policies, bob, { method: 'resources/subscribe', params: { uri: 'file:///x' } }).allowed).toBe(
      false,
    );
    expect(decideRequest(policies, bob, { method: 'prompts/get', params: { name: 'simple-prompt' } }).allowed).toBe(
      true,
    );
    expect(decideRequest(policies, bob, callTool('simple-prompt')).allowed).toBe(false);
  });

  it('completion/complete is decided on the prompt or resource it completes', () => {
    const policies = policiesOf([
      { name: 'r', effect: 'allow', who: [{ everyone: true }], prompts: ['simple-prompt'] },
    ]);
    const complete = (ref: unknown) => ({
      method: 'completion/complete',
      params: { ref, argument: { name: 'a', value: '' } },
    });
    expect(decideRequest(policies, bob, complete({ type: 'ref/prompt', name: 'simple-prompt' })).allowed).toBe(true);
    expect(decideRequest(policies, bob, complete({ type: 'ref/prompt', name: 'other' })).allowed).toBe(false);
    expect(decideRequest(policies, bob, complete({ type: 'ref/resource', uri: 'demo://x' })).allowed).toBe(false);
  });

  it('an allow rule with argument constraints allows only calls that keep them; a missing argument breaks them', () => {
    const policies = policiesOf([
      {
        name: 'weather',
        effect: 'allow',
        who: [{ everyone: true }],
        tools: ['weather'],
        arguments: { city: { oneOf: ['Chicago', 3] } },
      },
    ]);
    expect(decideRequest(policies, bob, callTool('weather', { city: 'Chicago' })).allowed).toBe(true);
    expect(decideRequest(policies, bob, callTool('weather', { city: 3 })).allowed).toBe(true);
    expect(decideRequest(policies, bob, callTool('weather', { city: '3' })).allowed).toBe(false);
    expect(decideRequest(policies, bob, callTool('weather', {}))).toMatchObject({
      allowed: false,
      rule: 'weather',
      reason: 'Denied: rule "weather" allows tool weather only when argument "city" must be one of "Chicago", 3.',
    });
  });

  it('a prefix constraint refuses values outside the prefix and values that climb out with ..', () => {
    const policies = policiesOf([
      {
        name: 'files',
        effect: 'allow',
        who: [{ everyone: true }],
        tools: ['read'],
        arguments: { path: { prefix: '/srv/data/' } },
      },
    ]);
    expect(decideRequest(policies, bob, callTool('read', { path: '/srv/data/a.txt' })).allowed).toBe(true);
    expect(decideRequest(policies, bob, callTool('read', { path: '/etc/passwd' })).allowed).toBe(false);
    expect(decideRequest(policies, bob, callTool('read', { path: '/srv/data/../../etc/passwd' })).allowed).toBe(false);
    expect(decideRequest(policies, bob, callTool('read', { path: '/srv/data/%2E%2E/secret' })).allowed).toBe(false);
    expect(decideRequest(policies, bob, callTool('read', { path: ['/srv/data/a'] })).allowed).toBe(false);
  });

  it('any allow rule suffices: an unconstrained rule allows what a constrained one would not', () => {
    const constrained: ToolRule = {
      name: 'weather',
      effect: 'allow',
      who: [{ everyone: true }],
      tools: ['weather'],
      arguments: { city: { oneOf: ['Chicago'] } },
    };
    expect(
      decideRequest(policiesOf([constrained, allowEngineering]), alice, callTool('weather', { city: 'Paris' })),
    ).toMatchObject({ allowed: true, rule: 'eng' });
  });

  it('session methods are allowed by the built-in protocol rule; lists by the listing rule', () => {
    const none = policiesOf([]);
    for (const method of [
      'initialize',
      'server/discover',
      'ping',
      'notifications/initialized',
      'notifications/cancelled',
      'logging/setLevel',
      'tasks/get',
      'tasks/update',
    ]) {
      expect(decideRequest(none, bob, { method })).toMatchObject({ allowed: true, rule: 'protocol' });
    }
    for (const method of ['tools/list', 'resources/list', 'resources/templates/list', 'prompts/list']) {
      expect(decideRequest(none, bob, { method })).toMatchObject({ allowed: true, rule: 'listing' });
    }
  });

  it('subscriptions/listen is allowed only for resources this person may read', () => {
    const policies = policiesOf([
      { name: 'docs', effect: 'allow', who: [{ everyone: true }], resources: ['demo://docs/*'] },
    ]);
    const listen = (resourceSubscriptions?: unknown) => ({
      method: 'subscriptions/listen',
      params: { notifications: { toolsListChanged: true, resourceSubscriptions } },
    });
    expect(decideRequest(policies, bob, listen())).toMatchObject({ allowed: true, rule: 'protocol' });
    expect(decideRequest(policies, bob, listen(['demo://docs/a']))).toMatchObject({ allowed: true, rule: 'protocol' });
    expect(decideRequest(policies, bob, listen(['demo://docs/a', 'file:///etc/passwd']))).toMatchObject({
      allowed: false,
      rule: 'default-deny',
      target: { kind: 'resource', name: 'file:///etc/passwd' },
    });
    expect(decideRequest(policies, bob, listen('demo://docs/a'))).toMatchObject({ allowed: false, rule: 'malformed' });
  });

  it('methods no rule can name follow the explicit unlistedMethods setting', () => {
    expect(decideRequest(policiesOf([allowEngineering], 'deny'), alice, { method: 'x/new' })).toMatchObject({
      allowed: false,
      rule: 'unlistedMethods',
    });
    expect(decideRequest(policiesOf([], 'allow'), bob, { method: 'x/new' })).toMatchObject({
      allowed: true,
      rule: 'unlistedMethods',
    });
  });

  it('a call that does not say what it is for is denied as malformed', () => {
    const policies = policiesOf([allowEngineering], 'allow');
    expect(decideRequest(policies, alice, { method: 'tools/call', params: {} })).toMatchObject({
      allowed: false,
      rule: 'malformed',
    });
    expect(decideRequest(policies, alice, { method: 'resources/read', params: { uri: 5 } })).toMatchObject({
      allowed: false,
      rule: 'malformed',
    });
    expect(decideRequest(policies, alice, { method: 'tools/call' })).toMatchObject({
      allowed: false,
      rule: 'malformed',
    });
  });
});

describe('decideRequest: approve rules', () => {
  const confirmDeploys: ToolRule = {
    name: 'confirm-deploys',
    effect: 'approve',
    who: [{ everyone: true }],
    tools: ['deploy'],
    by: 'self',
  };
  const sreApproves: ToolRule = {
    name: 'sre-approves',
    effect: 'approve',
    who: [{ everyone: true }],
    tools: ['deploy*'],
    by: 'group:sre',
    ttl: '10m',
    text: 'It ships.',
  };

  it('an allowed call an approve rule matches carries the approval it needs', () => {
    const decision = decideRequest(policiesOf([allowEngineering, sreApproves]), alice, callTool('deploy'));
    expect(decision).toEqual({
      allowed: true,
      rule: 'eng',
      reason:
        'Allowed by rule "eng" for tool deploy. It runs only once someone in the group "sre" approves it (rule "sre-approves"; an approval covers the same call for 10m).',
      target: { kind: 'tool', name: 'deploy' },
      approval: { rule: 'sre-approves', by: { group: 'sre' }, ttlMs: 600_000, text: 'It ships.' },
    });
  });

  it('an approve rule never allows a call no allow rule allows', () => {
    expect(decideRequest(policiesOf([allowEngineering, sreApproves]), bob, callTool('deploy'))).toMatchObject({
      allowed: false,
      rule: 'default-deny',
    });
  });

  it('a deny rule still beats everything', () => {
    const noDeploys: ToolRule = { name: 'no-deploys', effect: 'deny', who: [{ everyone: true }], tools: ['deploy'] };
    const decision = decideRequest(policiesOf([allowEngineering, sreApproves, noDeploys]), alice, callTool('deploy'));
    expect(decision).toMatchObject({ allowed: false, rule: 'no-deploys' });
    expect(decision.approval).toBeUndefined();
  });

  it("a group's approval beats a self-confirmation, whatever the order", () => {
    const decision = decideRequest(
      policiesOf([allowEngineering, confirmDeploys, sreApproves]),
      alice,
      callTool('deploy'),
    );
    expect(decision.approval).toMatchObject({ rule: 'sre-approves', by: { group: 'sre' } });
  });

  it('applies to tool calls only, and only to the people it names', () => {
    const forSupport: ToolRule = { ...sreApproves, name: 'support-only', who: [{ group: 'support' }] };
    expect(
      decideRequest(policiesOf([allowEngineering, forSupport]), alice, callTool('deploy')).approval,
    ).toBeUndefined();
    expect(
      decideRequest(policiesOf([allowEngineering, sreApproves]), alice, callTool('echo')).approval,
    ).toBeUndefined();
    expect(
      decideRequest(policiesOf([allowEngineering, sreApproves]), alice, { method: 'tools/list' }).approval,
    ).toBeUndefined();
  });
});
