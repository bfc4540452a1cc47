/**
 * The guardrails as pure functions: each takes one resource (its type token and the
 * properties Pulumi is about to send) and the stack's context, and returns what is wrong
 * with it, one sentence per violation. `policies.ts` wires them into the CrossGuard pack;
 * the tests call them directly.
 */
import { CONTAINER_APPLICATION_TYPE } from '../container-app/container-application.ts';
import { WORKER_SCRIPT_TYPE } from '../worker-script/worker-script.ts';

/** Type tokens the rules look at. */
export const GUARDED_TYPES = {
  accessPolicy: 'cloudflare:index/zeroTrustAccessPolicy:ZeroTrustAccessPolicy',
  accessApplication: 'cloudflare:index/zeroTrustAccessApplication:ZeroTrustAccessApplication',
  workersScript: 'cloudflare:index/workersScript:WorkersScript',
  workerVersion: 'cloudflare:index/workerVersion:WorkerVersion',
  workerScript: WORKER_SCRIPT_TYPE,
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

/**
 * Every Access session is bounded by the configured maximum, where Access applies it: on the
 * allow policies. An Access for SaaS application has no session duration in the API (SDK
 * 7.3.0 `ApplicationCreateParams.SaaSApplication`), so one set there would pass unenforced.
 */
export function sessionTooLong(resource: GuardedResource, context: StackContext): string[] {
  if (resource.type !== GUARDED_TYPES.accessPolicy && resource.type !== GUARDED_TYPES.accessApplication) return [];
  const duration = resource.props.sessionDuration;
  if (resource.type === GUARDED_TYPES.accessApplication) {
    if (resource.props.type !== 'saas' || duration === undefined) return [];
    return [
      `Access for SaaS application "${String(resource.props.name)}" sets sessionDuration, which Access does not apply ` +
        'to SaaS applications; the session comes from its policies. Set sessionDuration on the policies instead.',
    ];
  }
  if (typeof duration !== 'string') {
    if (resource.props.decision !== 'allow') return [];
    return [
      `Access policy "${String(resource.props.name)}" lets people in without a sessionDuration, so their session is ` +
        `not bounded by this stack's maximum ${context.maxSessionDuration}. Set sessionDuration (stack config).`,
    ];
  }
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
  if (
    resource.type !== GUARDED_TYPES.workersScript &&
    resource.type !== GUARDED_TYPES.workerVersion &&
    resource.type !== GUARDED_TYPES.workerScript
  )
    return [];
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

/** Access selectors that name an identity provider (`ZeroTrustAccessPolicyInclude` in `@pulumi/cloudflare` 6.22.1). */
const PROVIDER_SELECTORS = ['okta', 'azureAd', 'gsuite', 'githubOrganization', 'saml', 'oidc', 'loginMethod'] as const;

/**
 * A production Access application must name the identity providers it accepts. Without
 * `allowedIdps` it accepts every provider on the account ("Defaults to all IdPs configured
 * in your account"), one-time PIN included, so anyone with an allowed email address could
 * pick a provider that no group rule applies to. Access also needs exactly one provider for
 * `autoRedirectToIdentity` ("You must specify only one identity provider in allowed_idps").
 */
export function providerNotPinned(resource: GuardedResource, context: StackContext): string[] {
  if (resource.type !== GUARDED_TYPES.accessApplication) return [];
  const allowed = Array.isArray(resource.props.allowedIdps) ? resource.props.allowedIdps : [];
  const name = String(resource.props.name);
  const found: string[] = [];
  if (context.production && allowed.length === 0) {
    found.push(
      `Access application "${name}" accepts every identity provider on the account (no allowedIdps), ` +
        `and stack "${context.stack}" is production. Pin the stack's provider: identityProviderId and identityProviderType.`,
    );
  }
  if (resource.props.autoRedirectToIdentity === true && allowed.length !== 1) {
    found.push(
      `Access application "${name}" redirects straight to an identity provider, which Access allows only with exactly one provider in allowedIdps (it has ${allowed.length}).`,
    );
  }
  return found;
}

/**
 * Stack-wide: a production application must not accept a provider that its group rules do
 * not refer to. A group rule matches only people who signed in through its provider, so with
 * a second provider allowed (one-time PIN, say) a person in a denied group could sign in
 * through the other one and no group rule would see them. Only applies when the stack's
 * Access policies have provider rules at all.
 */
export function acceptsUnpinnedProvider(resources: readonly GuardedResource[], context: StackContext): string[] {
  if (!context.production) return [];
  const referenced = new Set<string>();
  for (const resource of resources) {
    if (resource.type !== GUARDED_TYPES.accessPolicy) continue;
    for (const key of ['includes', 'requires', 'excludes']) {
      const rules = Array.isArray(resource.props[key]) ? (resource.props[key] as unknown[]) : [];
      for (const rule of rules) {
        if (!rule || typeof rule !== 'object') continue;
        for (const selector of PROVIDER_SELECTORS) {
          const value = (rule as Record<string, unknown>)[selector] as Record<string, unknown> | undefined;
          const id = value?.identityProviderId ?? (selector === 'loginMethod' ? value?.id : undefined);
          if (typeof id === 'string') referenced.add(id);
        }
      }
    }
  }
  if (referenced.size === 0) return [];
  return resources
    .filter((resource) => resource.type === GUARDED_TYPES.accessApplication)
    .flatMap((app) => {
      const allowed = Array.isArray(app.props.allowedIdps) ? (app.props.allowedIdps as unknown[]).map(String) : [];
      const extra = allowed.filter((id) => !referenced.has(id));
      return extra.length === 0
        ? []
        : [
            `Access application "${String(app.props.name)}" accepts identity provider ${extra.join(', ')}, which none of the ` +
              `stack's group rules refer to (they name ${[...referenced].join(', ')}): a person could sign in through it and no group rule would apply. ` +
              'Allow only the pinned provider.',
          ];
    });
}
