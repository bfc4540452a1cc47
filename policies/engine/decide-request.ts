/**
 * The heart of the policy engine: for one MCP request and one verified person, allow, deny or
 * wait for approval, and the rule that says so, with no I/O, so the Worker, the CLI and the
 * tests all decide the same way.
 */
import type { ApprovalRequirement } from '../model/approval.ts';
import type { RequestIdentity, ToolPolicies, ToolRule } from '../model/tool-policy.ts';
import { approvalFor, shortDuration } from './approvals.ts';
import { brokenConstraint } from './argument-constraints.ts';
import { anyGlobMatches } from './glob.ts';
import { nonCanonicalUri, readingsOf } from './uri-readings.ts';
import { whoMatches } from './who-matches.ts';

/** What a request is about: a tool, a resource (by URI) or a prompt; or a root a client gives the server. */
export interface PolicyTarget {
  kind: 'tool' | 'resource' | 'prompt' | 'root';
  name: string;
}

/**
 * A decision and what made it. `rule` is a rule's name from the policy file, or one of
 * the built-in answers: `default-deny` (no rule allows), `protocol` (session plumbing
 * every client needs), `listing` (allowed; the answer is filtered), `unlistedMethods`
 * (the file's explicit answer for unknown methods), `malformed` (the request does not
 * say what it is about).
 */
export interface RequestDecision {
  allowed: boolean;
  rule: string;
  reason: string;
  target?: PolicyTarget;
  /** On an allowed tool call: the approval an approve rule asks for before it runs. */
  approval?: ApprovalRequirement;
}

/** The names the engine answers with itself; policy rules may not use them. */
export const BUILT_IN_RULE_NAMES = [
  'default-deny',
  'protocol',
  'listing',
  'unlistedMethods',
  'malformed',
  // The gate's own refusal of a tool or prompt whose definition is not the pinned one.
  'pinned-definitions',
] as const;

/** Methods that carry no tool, resource or prompt: the session cannot work without them. */
const PROTOCOL_METHODS = new Set([
  'initialize',
  // The 2026-07-28 revision's handshake: the client learns the server's capabilities, nothing else.
  'server/discover',
  'ping',
  'logging/setLevel',
  'notifications/initialized',
  'notifications/cancelled',
  'notifications/progress',
  'notifications/roots/list_changed',
  'notifications/tasks/status',
  'tasks/get',
  'tasks/result',
  'tasks/list',
  'tasks/cancel',
  'tasks/update',
]);

/** Methods whose answer is a list the gateway filters; the request itself is allowed. */
const LIST_METHODS = new Set(['tools/list', 'resources/list', 'resources/templates/list', 'prompts/list']);

/** A JSON-RPC request or notification as it arrives: a method and maybe params. */
export interface JsonRpcCall {
  method: string;
  params?: unknown;
}

/**
 * Decides one JSON-RPC request for one person. Deny by default; a matching deny rule
 * beats every allow rule; among allow rules any one suffices, and an allow rule with
 * argument constraints allows only calls that keep them. An allowed tool call that an
 * approve rule matches carries the approval it needs. Pure: no I/O.
 *
 * @example
 * ```ts
 * decideRequest(policies, { email: 'bob@example.com', groups: ['support'] }, { method: 'tools/call', params: { name: 'get-env' } });
 * // { allowed: false, rule: 'no-environment-dumps', reason: 'Denied by rule "no-environment-dumps" for tool get-env.', target: { kind: 'tool', name: 'get-env' } }
 * ```
 */
export function decideRequest(policies: ToolPolicies, identity: RequestIdentity, call: JsonRpcCall): RequestDecision {
  if (PROTOCOL_METHODS.has(call.method))
    return { allowed: true, rule: 'protocol', reason: `${call.method} is part of the MCP session.` };
  if (LIST_METHODS.has(call.method))
    return { allowed: true, rule: 'listing', reason: `${call.method} is answered with what this person may use.` };

  if (call.method === 'subscriptions/listen') return decideListen(policies, identity, call);

  const target = targetOf(call);
  if (target === null) {
    return policies.unlistedMethods === 'allow'
      ? {
          allowed: true,
          rule: 'unlistedMethods',
          reason: `${call.method} is not a method the policy names; unlistedMethods is allow.`,
        }
      : {
          allowed: false,
          rule: 'unlistedMethods',
          reason: `${call.method} is not a method the policy names; unlistedMethods is deny.`,
        };
  }
  if (target === undefined)
    return {
      allowed: false,
      rule: 'malformed',
      reason: `${call.method} does not say which tool, resource or prompt it is for.`,
    };
  return decideTarget(policies, identity, target, target.kind === 'tool' ? argumentsOf(call) : undefined);
}

/**
 * Decides whether a person may use one tool, resource or prompt. With `args` undefined
 * and `ignoreArguments`, it answers "may this person see it in a list".
 *
 * @example
 * ```ts
 * decideTarget(policies, alice, { kind: 'prompt', name: 'simple-prompt' }).allowed; // true
 * ```
 */
export function decideTarget(
  policies: ToolPolicies,
  identity: RequestIdentity,
  target: PolicyTarget,
  args?: Record<string, unknown>,
  options: { ignoreArguments?: boolean } = {},
): RequestDecision {
  if (target.kind === 'tool' || target.kind === 'prompt') return decideName(policies, identity, target, args, options);
  // A URI is matched in every reading a server may give it, and only in a form a glob can be trusted with.
  const readings = readingsOf(target.name);
  const problem = readings.ok
    ? readings.readings.map(nonCanonicalUri).find((found) => found !== undefined)
    : readings.problem;
  if (!readings.ok || problem !== undefined)
    return {
      allowed: false,
      rule: 'malformed',
      reason: `Denied: ${target.kind} ${JSON.stringify(target.name)} ${problem}.`,
      target,
    };
  const [asWritten, ...others] = readings.readings.map((name) =>
    decideName(policies, identity, { ...target, name }, args, options),
  );
  const denied = others.find((decision) => !decision.allowed);
  return denied ? { ...denied, target } : asWritten!;
}

function decideName(
  policies: ToolPolicies,
  identity: RequestIdentity,
  target: PolicyTarget,
  args: Record<string, unknown> | undefined,
  options: { ignoreArguments?: boolean },
): RequestDecision {
  const what = `${target.kind} ${target.name}`;
  const applies = (rule: ToolRule) =>
    whoMatches(rule.who, identity) && anyGlobMatches(patternsFor(rule, target.kind), target.name);

  const denyingRule = policies.rules.find((rule) => rule.effect === 'deny' && applies(rule));
  if (denyingRule)
    return {
      allowed: false,
      rule: denyingRule.name,
      reason: `Denied by rule "${denyingRule.name}" for ${what}.`,
      target,
    };

  let unmet: { rule: string; broken: string } | undefined;
  for (const rule of policies.rules) {
    if (rule.effect !== 'allow' || !applies(rule)) continue;
    const broken = rule.arguments && !options.ignoreArguments ? brokenConstraint(rule.arguments, args) : undefined;
    if (broken === undefined) {
      const approval = target.kind === 'tool' ? approvalFor(policies, identity, target.name) : undefined;
      const allowed = { allowed: true, rule: rule.name, reason: `Allowed by rule "${rule.name}" for ${what}.`, target };
      return approval ? { ...allowed, reason: `${allowed.reason} ${describeApproval(approval)}`, approval } : allowed;
    }
    unmet ??= { rule: rule.name, broken };
  }
  if (unmet) {
    return {
      allowed: false,
      rule: unmet.rule,
      reason: `Denied: rule "${unmet.rule}" allows ${what} only when ${unmet.broken}.`,
      target,
    };
  }
  return {
    allowed: false,
    rule: 'default-deny',
    reason: `Denied by default: no rule allows ${what} for this person.`,
    target,
  };
}

/**
 * An approval requirement in words.
 *
 * @example
 * ```ts
 * describeApproval({ rule: 'r', by: { group: 'sre' }, ttlMs: 600000, text: null });
 * // 'It runs only once someone in the group "sre" approves it (rule "r"; an approval covers the same call for 10m).'
 * ```
 */
function describeApproval(approval: ApprovalRequirement): string {
  const who =
    'self' in approval.by ? 'the caller confirms it' : `someone in the group "${approval.by.group}" approves it`;
  const ttl = approval.ttlMs ? `; an approval covers the same call for ${shortDuration(approval.ttlMs)}` : '';
  return `It runs only once ${who} (rule "${approval.rule}"${ttl}).`;
}

/**
 * `subscriptions/listen` (2026-07-28) opens a stream of notifications; the resources it
 * subscribes to must each be readable by this person, as `resources/subscribe` would be.
 */
function decideListen(policies: ToolPolicies, identity: RequestIdentity, call: JsonRpcCall): RequestDecision {
  const params = isRecord(call.params) ? call.params : {};
  const notifications = isRecord(params.notifications) ? params.notifications : {};
  const uris = notifications.resourceSubscriptions;
  if (uris !== undefined && !(Array.isArray(uris) && uris.every((uri) => typeof uri === 'string'))) {
    return {
      allowed: false,
      rule: 'malformed',
      reason: 'subscriptions/listen names its resource subscriptions in a form the gateway cannot check.',
    };
  }
  for (const uri of uris ?? []) {
    const decision = decideTarget(policies, identity, { kind: 'resource', name: uri });
    if (!decision.allowed) return decision;
  }
  return {
    allowed: true,
    rule: 'protocol',
    reason: 'subscriptions/listen is part of the MCP session, for resources this person may read.',
  };
}

function patternsFor(rule: ToolRule, kind: PolicyTarget['kind']): string[] | undefined {
  const patterns = { tool: rule.tools, resource: rule.resources, prompt: rule.prompts, root: rule.roots };
  return patterns[kind];
}

/** The target of a method the policy names; `undefined` when params lack it; `null` for an unknown method. */
function targetOf(call: JsonRpcCall): PolicyTarget | undefined | null {
  const params = isRecord(call.params) ? call.params : {};
  switch (call.method) {
    case 'tools/call':
      return typeof params.name === 'string' ? { kind: 'tool', name: params.name } : undefined;
    case 'prompts/get':
      return typeof params.name === 'string' ? { kind: 'prompt', name: params.name } : undefined;
    case 'resources/read':
    case 'resources/subscribe':
    case 'resources/unsubscribe':
      return typeof params.uri === 'string' ? { kind: 'resource', name: params.uri } : undefined;
    case 'completion/complete': {
      const ref = isRecord(params.ref) ? params.ref : {};
      if (ref.type === 'ref/prompt' && typeof ref.name === 'string') return { kind: 'prompt', name: ref.name };
      if (ref.type === 'ref/resource' && typeof ref.uri === 'string') return { kind: 'resource', name: ref.uri };
      return undefined;
    }
    default:
      return null;
  }
}

function argumentsOf(call: JsonRpcCall): Record<string, unknown> | undefined {
  const params = isRecord(call.params) ? call.params : {};
  return isRecord(params.arguments) ? params.arguments : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
