/**
 * What a Cloudflare Containers application should be, and how a change to it is applied.
 * Pure: no SDK, no Pulumi runtime, so the dynamic provider's decisions are tested on their own.
 *
 * The bridge's Durable Object class extends `Container` from `@cloudflare/containers`, which
 * runs on the `default` scheduling policy: one application-wide image and instance type, tied
 * to the Worker's Durable Object namespace (`durable_objects`: script and class name). The
 * Durable Object starts one container per user; `instances: 0` because none runs until then.
 *
 * How Cloudflare's API takes each change (Containers API, "Modify an application" and
 * "Create a rollout"): `max_instances` by PATCH; image and instance type only by a rollout;
 * name, scheduling policy and Durable Object namespace not at all, so those replace.
 */

/** The instance types the Containers API accepts (vCPU, memory, disk grow in this order). */
export const INSTANCE_TYPES = ['lite', 'basic', 'standard-1', 'standard-2', 'standard-3', 'standard-4'] as const;
export type InstanceType = (typeof INSTANCE_TYPES)[number];

/** The inputs of a `ContainerApplication` (no secret among them: the API token comes from stack config). */
export interface ApplicationSpec {
  accountId: string;
  /** Unique in the account: `<project>-<stack>-bridge`. */
  name: string;
  /** The image, pinned by digest: `registry.cloudflare.com/<account>/<repo>@sha256:<64 hex>`. */
  image: string;
  instanceType: InstanceType;
  /** Most containers (so most users served at once) the application may run. */
  maxInstances: number;
  /** The Worker script and Durable Object class that start the containers. */
  durableObjects: { scriptName: string; className: string };
}

/** What the provider stores after create or update: the inputs plus what Cloudflare computed. */
export interface ApplicationState extends ApplicationSpec {
  /** The id of the Durable Object namespace the application is tied to. */
  durableObjectNamespaceId: string;
  createdAt: string;
}

/** How a change from `olds` to `news` is applied. */
export interface ApplicationChange {
  /** Properties that changed. */
  changes: (keyof ApplicationSpec)[];
  /** Properties that cannot change in place: the application is deleted, then created anew. */
  replaces: (keyof ApplicationSpec)[];
  /** Whether `max_instances` is patched. */
  patch: boolean;
  /** Whether a rollout moves the instances to a new image or instance type. */
  rollout: boolean;
}

const REPLACING: readonly (keyof ApplicationSpec)[] = ['accountId', 'name', 'durableObjects'];
const ROLLING_OUT: readonly (keyof ApplicationSpec)[] = ['image', 'instanceType'];

const NAME = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const HEX_ID = /^[0-9a-f]{32}$/;
/** A reference pinned by content: anything `@sha256:` followed by 64 hex digits. */
const DIGEST_PINNED_IMAGE = /^[^@\s]+@sha256:[0-9a-f]{64}$/;
const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/**
 * Every problem with a spec, one sentence each; empty when it is valid.
 *
 * @example
 * ```ts
 * specProblems({ ...spec, image: 'registry.cloudflare.com/acc/bridge:latest' });
 * // ['image "registry.cloudflare.com/acc/bridge:latest" is not pinned by digest (…@sha256:<64 hex>)']
 * ```
 */
export function specProblems(spec: Partial<ApplicationSpec>): string[] {
  const problems: string[] = [];
  if (!spec.accountId || !HEX_ID.test(spec.accountId)) problems.push('accountId must be 32 lowercase hex characters');
  if (!spec.name || !NAME.test(spec.name))
    problems.push(`name ${JSON.stringify(spec.name)} must be lowercase letters, digits and hyphens`);
  if (!spec.image || !DIGEST_PINNED_IMAGE.test(spec.image)) {
    problems.push(`image ${JSON.stringify(spec.image)} is not pinned by digest (…@sha256:<64 hex>)`);
  }
  if (!spec.instanceType || !(INSTANCE_TYPES as readonly string[]).includes(spec.instanceType)) {
    problems.push(`instanceType ${JSON.stringify(spec.instanceType)} is not one of ${INSTANCE_TYPES.join(', ')}`);
  }
  if (!Number.isInteger(spec.maxInstances) || (spec.maxInstances ?? 0) < 1)
    problems.push('maxInstances must be a whole number of at least 1');
  const durableObjects = spec.durableObjects;
  if (
    !durableObjects ||
    !NAME.test(durableObjects.scriptName ?? '') ||
    !IDENTIFIER.test(durableObjects.className ?? '')
  ) {
    problems.push('durableObjects needs the Worker scriptName and the Durable Object className');
  }
  return problems;
}

/**
 * Compares two specs and says how the difference is applied.
 *
 * @example
 * ```ts
 * diffSpecs(spec, { ...spec, maxInstances: 20 });
 * // { changes: ['maxInstances'], replaces: [], patch: true, rollout: false }
 * ```
 */
export function diffSpecs(olds: ApplicationSpec, news: ApplicationSpec): ApplicationChange {
  const keys: (keyof ApplicationSpec)[] = [
    'accountId',
    'name',
    'image',
    'instanceType',
    'maxInstances',
    'durableObjects',
  ];
  const changes = keys.filter((key) => JSON.stringify(olds[key]) !== JSON.stringify(news[key]));
  const replaces = changes.filter((key) => REPLACING.includes(key));
  return {
    changes,
    replaces,
    patch: replaces.length === 0 && changes.includes('maxInstances'),
    rollout: replaces.length === 0 && changes.some((key) => ROLLING_OUT.includes(key)),
  };
}

/**
 * The body of "Create a new application" for a spec (scheduler-backed, tied to the Worker's
 * Durable Object class, no instance until a Durable Object starts one).
 *
 * @example
 * ```ts
 * client.containers.applications.create({ account_id: spec.accountId, ...toCreateBody(spec) });
 * ```
 */
export function toCreateBody(spec: ApplicationSpec) {
  return {
    name: spec.name,
    scheduling_policy: 'default' as const,
    instances: 0,
    max_instances: spec.maxInstances,
    configuration: { image: spec.image, instance_type: spec.instanceType },
    durable_objects: { script_name: spec.durableObjects.scriptName, class_name: spec.durableObjects.className },
    observability: { logs: { enabled: true } },
  };
}

/** The API's view of an application, as much of it as the provider compares. */
export interface ApplicationRecord {
  id: string;
  name: string;
  created_at: string;
  max_instances?: number;
  configuration?: { image?: string; instance_type?: string };
  durable_objects?: { namespace_id?: string };
}

/**
 * The state to store for an application the API returned, given the spec it was made from.
 * Values the API reports win over the spec, so `pulumi refresh` shows drift.
 *
 * @example
 * ```ts
 * const state = toState(spec, await client.containers.applications.get(id, { account_id }));
 * ```
 */
export function toState(spec: ApplicationSpec, record: ApplicationRecord): ApplicationState {
  const instanceType = record.configuration?.instance_type;
  return {
    ...spec,
    name: record.name,
    image: record.configuration?.image ?? spec.image,
    instanceType: (INSTANCE_TYPES as readonly string[]).includes(instanceType ?? '')
      ? (instanceType as InstanceType)
      : spec.instanceType,
    maxInstances: record.max_instances ?? spec.maxInstances,
    durableObjectNamespaceId: record.durable_objects?.namespace_id ?? '',
    createdAt: record.created_at,
  };
}
