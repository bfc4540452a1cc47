/**
 * The guardrails as pure functions: each takes one resource (its type token and the
 * properties Pulumi is about to send) and the stack's context, and returns what is wrong
 * with it, one sentence per violation. `policies.ts` wires them into the CrossGuard pack;
 * the tests call them directly.
 */
import { CONTAINER_APPLICATION_TYPE } from '../container-app/container-application.ts';

/** Type tokens the rules look at. */
export const GUARDED_TYPES = {
  accessPolicy: 'cloudflare:index/zeroTrustAccessPolicy:ZeroTrustAccessPolicy',
  accessApplication: 'cloudflare:index/zeroTrustAccessApplication:ZeroTrustAccessApplication',
  workersScript: 'cloudflare:index/workersScript:WorkersScript',
  workerVersion: 'cloudflare:index/workerVersion:WorkerVersion',
  containerApplication: CONTAINER_APPLICATION_TYPE,
} as const;

/** One resource as a policy sees it. */
export interface GuardedResource {
  type: string;
  props: Record<string, unknown>;
}

/** What the rules know about the stack. */
export interface StackContext {
  stack: string;
  /** Whether the stack serves real users (see {@link isProductionStack}). */
  production: boolean;
  /** The longest Access session allowed, in Cloudflare's duration format (e.g. `24h`). */
  maxSessionDuration: string;
}

/** Stacks whose name alone makes them production: `prod`, `production`, and every tenant. */
export const DEFAULT_PRODUCTION_STACKS = '^(prod|production|tenant-[a-z0-9-]+)$';

/**
 * Whether a stack is production: tagged `environment=production`
 * (`pulumi stack tag set environment production`), or named like one.
 *
 * @example
 * ```ts
 * isProductionStack('tenant-acme', new Map(), DEFAULT_PRODUCTION_STACKS); // true
 * isProductionStack('dev', new Map([['environment', 'production']]), DEFAULT_PRODUCTION_STACKS); // true
 * ```
 */
export function isProductionStack(stack: string, tags: ReadonlyMap<string, string>, productionStacks: string): boolean {
  return tags.get('environment') === 'production' || new RegExp(productionStacks).test(stack);
}

/** The stack name inside a URN (`urn:pulumi:<stack>::<project>::<type>::<name>`). */
export function stackOfUrn(urn: string): string {
  return urn.split('::')[0]?.replace(/^urn:pulumi:/, '') ?? '';
}

const UNIT_SECONDS: Record<string, number> = { ns: 1e-9, us: 1e-6, µs: 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };

/**
 * Seconds in a Cloudflare (Go) duration such as `24h` or `2h45m`; `undefined` if it is not one.
 *
 * @example
 * ```ts
 * durationSeconds('1h30m'); // 5400
 * ```
 */
export function durationSeconds(text: string): number | undefined {
  if (!/^(?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h))+$/.test(text)) return undefined;
  let total = 0;
  for (const [, amount, unit] of text.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g))
    total += Number(amount) * UNIT_SECONDS[unit!]!;
  return total;
}

/** An Access policy that lets everyone in must not exist in production. */
export function everyoneInProduction(resource: GuardedResource, context: StackContext): string[] {
  if (resource.type !== GUARDED_TYPES.accessPolicy || !context.production) return [];
  if (resource.props.decision !== 'allow') return [];
  const includes = Array.isArray(resource.props.includes) ? resource.props.includes : [];
  if (!includes.some((rule) => rule && typeof rule === 'object' && 'everyone' in rule)) return [];
  return [
    `Access policy "${String(resource.props.name)}" lets everyone who can sign in with the identity provider in, ` +
      `and stack "${context.stack}" is production. Name the people: emailDomain, group or email rules in policies/access.yaml.`,
  ];
}

/** No Access application or policy may keep a session longer than the configured maximum. */
export function sessionTooLong(resource: GuardedResource, context: StackContext): string[] {
  if (resource.type !== GUARDED_TYPES.accessPolicy && resource.type !== GUARDED_TYPES.accessApplication) return [];
  const duration = resource.props.sessionDuration;
  if (typeof duration !== 'string') return [];
  const seconds = durationSeconds(duration);
  const maximum = durationSeconds(context.maxSessionDuration);
  if (maximum === undefined)
    return [`The guardrail setting maxSessionDuration "${context.maxSessionDuration}" is not a duration such as 24h.`];
  if (seconds === undefined)
    return [
      `"${String(resource.props.name)}" has a session duration "${duration}" that is not a duration such as 24h.`,
    ];
  if (seconds <= maximum) return [];
  return [
    `"${String(resource.props.name)}" keeps a session for ${duration}, longer than the maximum ${context.maxSessionDuration}. ` +
      'Shorten sessionDuration (stack config, or the policy in policies/access.yaml).',
  ];
}

/** An Access application without a policy lets nobody in, or, worse, relies on defaults: it must have one. */
export function appWithoutPolicy(resource: GuardedResource): string[] {
  if (resource.type !== GUARDED_TYPES.accessApplication) return [];
  const policies = resource.props.policies;
  if (Array.isArray(policies) && policies.length > 0) return [];
  return [
    `Access application "${String(resource.props.name)}" has no Access policy attached; say who may sign in (policies/access.yaml).`,
  ];
}

/** Binding names that say "this is a secret". */
const SECRET_LOOKING_NAME = /SECRET|TOKEN|PASSWORD|PASSWD|PRIVATE|CREDENTIAL|API_?KEY|SIGNING|(^|_)KEY($|_)/i;

/** A plain-text Worker binding is visible in the dashboard and in state: none may look like a secret. */
export function secretInPlainText(resource: GuardedResource): string[] {
  if (resource.type !== GUARDED_TYPES.workersScript && resource.type !== GUARDED_TYPES.workerVersion) return [];
  const bindings = Array.isArray(resource.props.bindings) ? resource.props.bindings : [];
  return (
    bindings
      .filter(
        (binding): binding is { type: unknown; name: string } =>
          Boolean(binding) && typeof binding === 'object' && typeof (binding as { name?: unknown }).name === 'string',
      )
      // A list of secret *names* (e.g. MCP_CONTAINER_SECRET_NAMES) is not itself a secret.
      .filter(
        (binding) =>
          binding.type === 'plain_text' && SECRET_LOOKING_NAME.test(binding.name) && !/_NAMES?$/i.test(binding.name),
      )
      .map(
        (binding) =>
          `Worker binding ${binding.name} is plain_text but its name says it is a secret; make it a secret_text binding ` +
          'with a Pulumi secret value (or rename it if it is not one).',
      )
  );
}

/** A reference pinned by content: `…@sha256:<64 hex>`. */
const DIGEST_PINNED = /^[^@\s]+@sha256:[0-9a-f]{64}$/;
/** What Pulumi shows for a value not known until the update (e.g. a digest during a preview). */
const UNKNOWN = '04da6b54-80e4-46f7-96ec-b56ff0331ba9';

/** The container must run exactly the image that was built and reviewed: pinned by digest, not a tag. */
export function imageNotPinned(resource: GuardedResource): string[] {
  if (resource.type !== GUARDED_TYPES.containerApplication) return [];
  const image = resource.props.image;
  // During a preview the digest is not known yet; the update itself is checked again.
  if (image === undefined || image === UNKNOWN) return [];
  if (typeof image === 'string' && DIGEST_PINNED.test(image)) return [];
  return [
    `Container application "${String(resource.props.name)}" runs image ${JSON.stringify(image)}, which is not pinned by digest. ` +
      "Use the pushed image's repoDigest (…@sha256:<64 hex>), never a tag.",
  ];
}
