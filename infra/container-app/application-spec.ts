/**
 * What a Cloudflare Containers application should be, the requests that make it so, and how
 * a change is applied. Pure: no SDK, no Pulumi runtime, so the dynamic provider's decisions
 * are tested on their own.
 *
 * The requests are those wrangler 4.164 sends for a Worker's container (recorded in
 * `infra/deploy-contract/`; `containerConfigToCreateRequest`, `createApplicationToModifyApplication`
 * and `doAction` in `node_modules/wrangler/wrangler-dist/cli.js` near lines 148570, 148425 and
 * 156304):
 *
 * - create: `scheduling_policy: "default"`, the image by digest, `instances: 0` (the Durable
 *   Object starts each container), `max_instances`, `constraints.tiers`, and the Worker's
 *   Durable Object namespace by id (`durable_objects.namespace_id`), looked up after the
 *   Worker upload;
 * - update: `PATCH` with the same fields, then a rollout to the new configuration.
 *
 * The SDK (cloudflare 7.3.0) types `constraints` without `tiers` and the edit body without
 * `configuration.image`; the bodies here carry them as wrangler does.
 */
import type {
  ApplicationCreateParams,
  ApplicationEditParams,
} from 'cloudflare/resources/containers/applications/applications';
import type { RolloutCreateParams } from 'cloudflare/resources/containers/applications/rollouts';
import { containsUnknown, type InputRules } from '../dynamic-provider/cloudflare-dynamic-provider.ts';

type SdkCreateBody = Omit<ApplicationCreateParams.CcContainersCreateScheduledApplicationRequest, 'account_id'>;
/** The create body: the SDK's, with the `constraints.tiers` wrangler sends and the SDK does not list. */
export type CreateApplicationBody = SdkCreateBody & {
  constraints: NonNullable<SdkCreateBody['constraints']> & { tiers: number[] };
};
/** The edit body: the SDK's, with the `configuration` (image, instance type) and `scheduling_policy` wrangler sends. */
export type EditApplicationBody = Omit<ApplicationEditParams, 'account_id'> & {
  configuration: NonNullable<ApplicationEditParams['configuration']> & { image: string; instance_type: InstanceType };
  constraints: NonNullable<ApplicationEditParams['constraints']> & { tiers: number[] };
  scheduling_policy: 'default';
};
/** The rollout body, as the SDK types it. */
export type RolloutBody = Omit<RolloutCreateParams, 'account_id'>;

/** The instance types the Containers API accepts (vCPU, memory, disk grow in this order). */
export const INSTANCE_TYPES = ['lite', 'basic', 'standard-1', 'standard-2', 'standard-3', 'standard-4'] as const;
export type InstanceType = (typeof INSTANCE_TYPES)[number];

/** wrangler's default placement tiers for a container (`tiers = [1, 2]`, cli.js near line 206743). */
export const DEFAULT_TIERS = [1, 2];

/** The inputs of a `ContainerApplication` (no secret among them: the API token comes from stack config). */
export interface ApplicationSpec {
  accountId: string;
  /** Unique in the account: `<project>-<stack>-bridge`. */
  name: string;
  /** The image, pinned by digest: `registry.cloudflare.com/<external account>/<repo>@sha256:<64 hex>`. */
  image: string;
  instanceType: InstanceType;
  /** Most containers (so most users served at once) the application may run. */
  maxInstances: number;
  /** The Worker script and Durable Object class that start the containers. */
  durableObjects: { scriptName: string; className: string };
  /**
   * A version of that Worker, where the namespace id is looked up on create (as wrangler does).
   * Not compared: every upload makes a new version, and the namespace stays the same.
   */
  workerVersionId: string;
  /** Placement tiers (`constraints.tiers`). */
  tiers: number[];
  /** Container logs in Workers Logs (`observability.logs.enabled`). */
  observability: boolean;
}

/** What the provider stores after create or update: the inputs plus what Cloudflare computed. */
export interface ApplicationState extends ApplicationSpec {
  /** The id of the Durable Object namespace the application is tied to. */
  durableObjectNamespaceId: string;
}

/**
 * How the provider checks and compares a spec: a new account, name or Durable Object class
 * replaces the application, deleting the old one first (the API refuses a second one of the
 * same name); `workerVersionId` is not compared (every upload makes a new version, and the
 * namespace stays the same).
 */
export const APPLICATION_INPUTS: InputRules<ApplicationSpec> = {
  problems: specProblems,
  compared: ['accountId', 'name', 'image', 'instanceType', 'maxInstances', 'durableObjects', 'tiers', 'observability'],
  replacing: ['accountId', 'name', 'durableObjects'],
  deleteBeforeReplace: true,
};

const NAME = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const HEX_ID = /^[0-9a-f]{32}$/;
/** A reference pinned by content: anything `@sha256:` followed by 64 hex digits. */
const DIGEST_PINNED_IMAGE = /^[^@\s]+@sha256:[0-9a-f]{64}$/;
const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/**
 * Every problem with a spec, one sentence each; empty when it is valid. A value a preview does
 * not know yet (the image digest before the image is built) passes: it is checked again when
 * it is known, before anything is created.
 *
 * @example
 * ```ts
 * specProblems({ ...spec, image: 'registry.cloudflare.com/acc/bridge:latest' });
 * // ['image "registry.cloudflare.com/acc/bridge:latest" is not pinned by digest (…@sha256:<64 hex>)']
 * ```
 */
export function specProblems(spec: Partial<ApplicationSpec>): string[] {
  const problems: string[] = [];
  const known = (value: unknown) => !containsUnknown(value);
  if (known(spec.accountId) && (!spec.accountId || !HEX_ID.test(spec.accountId)))
    problems.push('accountId must be 32 lowercase hex characters');
  if (known(spec.name) && (!spec.name || !NAME.test(spec.name)))
    problems.push(`name ${JSON.stringify(spec.name)} must be lowercase letters, digits and hyphens`);
  if (known(spec.image) && (!spec.image || !DIGEST_PINNED_IMAGE.test(spec.image))) {
    problems.push(`image ${JSON.stringify(spec.image)} is not pinned by digest (…@sha256:<64 hex>)`);
  }
  if (
    known(spec.instanceType) &&
    (!spec.instanceType || !(INSTANCE_TYPES as readonly string[]).includes(spec.instanceType))
  ) {
    problems.push(`instanceType ${JSON.stringify(spec.instanceType)} is not one of ${INSTANCE_TYPES.join(', ')}`);
  }
  if (known(spec.maxInstances) && (!Number.isInteger(spec.maxInstances) || (spec.maxInstances ?? 0) < 1))
    problems.push('maxInstances must be a whole number of at least 1');
  const durableObjects = spec.durableObjects;
  if (
    known(durableObjects) &&
    (!durableObjects || !NAME.test(durableObjects.scriptName ?? '') || !IDENTIFIER.test(durableObjects.className ?? ''))
  ) {
    problems.push('durableObjects needs the Worker scriptName and the Durable Object className');
  }
  if (known(spec.tiers) && (!Array.isArray(spec.tiers) || spec.tiers.some((tier) => !Number.isInteger(tier))))
    problems.push('tiers must be a list of whole numbers, e.g. [1, 2]');
  return problems;
}

/** The `configuration` an application runs (create, edit and rollout all carry it). */
function configurationOf(spec: ApplicationSpec) {
  return { image: spec.image, instance_type: spec.instanceType };
}

/**
 * The body of "Create a new application" for a spec and the namespace of its Durable Object class.
 *
 * @example
 * ```ts
 * client.containers.applications.create({ account_id: spec.accountId, ...toCreateBody(spec, namespaceId) });
 * ```
 */
export function toCreateBody(spec: ApplicationSpec, namespaceId: string): CreateApplicationBody {
  return {
    name: spec.name,
    scheduling_policy: 'default' as const,
    ...(spec.observability ? { observability: { logs: { enabled: true } } } : {}),
    configuration: configurationOf(spec),
    // Deprecated by the API in favour of max_instances, and still sent as 0 by wrangler.
    instances: 0,
    max_instances: spec.maxInstances,
    constraints: { tiers: spec.tiers },
    durable_objects: { namespace_id: namespaceId },
    rollout_active_grace_period: 0,
  };
}

/**
 * The body of "Modify an application" (`PATCH`): what wrangler derives from its create request,
 * with `observability` only when it changes (wrangler's `buildTopLevelObservabilityPatch`).
 *
 * @example
 * ```ts
 * client.containers.applications.edit(id, { account_id, ...toEditBody(spec, olds.observability) });
 * ```
 */
export function toEditBody(spec: ApplicationSpec, previousObservability: boolean | undefined): EditApplicationBody {
  return {
    configuration: configurationOf(spec),
    ...(spec.observability !== previousObservability
      ? { observability: { logs: { enabled: spec.observability } } }
      : {}),
    max_instances: spec.maxInstances,
    constraints: { tiers: spec.tiers },
    scheduling_policy: 'default' as const,
    rollout_active_grace_period: 0,
  };
}

/**
 * The body of "Create a rollout" that moves every instance to the new configuration, in
 * wrangler's steps: all at once below two instances, else 10 % then 100 %.
 *
 * @example
 * ```ts
 * client.containers.applications.rollouts.create(id, { account_id, ...toRolloutBody(spec) });
 * ```
 */
export function toRolloutBody(spec: ApplicationSpec): RolloutBody {
  const percentages = spec.maxInstances < 2 ? [100] : [10, 100];
  return {
    description: 'Progressive update',
    strategy: 'rolling' as const,
    target_configuration: configurationOf(spec),
    ...(percentages.length === 1
      ? { step_percentage: 100 as const }
      : {
          steps: percentages.map((percentage, index) => ({
            step_size: { percentage },
            description: `Step ${index + 1} of ${percentages.length} - rollout at ${percentage}% of instances`,
          })),
        }),
    kind: 'full_auto' as const,
  };
}

/** The API's view of an application, as much of it as the provider reads. */
export interface ApplicationRecord {
  id: string;
  name: string;
  max_instances?: number;
  configuration?: { image?: string; instance_type?: string };
  durable_objects?: { namespace_id?: string };
  constraints?: { tiers?: number[] };
}

/**
 * The state after `pulumi refresh`: what the API holds wins over the stored spec, so drift shows.
 *
 * @example
 * ```ts
 * const state = refreshedState(stored, await client.containers.applications.get(id, { account_id }));
 * ```
 */
export function refreshedState(stored: ApplicationState, record: ApplicationRecord): ApplicationState {
  const instanceType = record.configuration?.instance_type;
  return {
    ...stored,
    name: record.name,
    image: record.configuration?.image ?? stored.image,
    instanceType: (INSTANCE_TYPES as readonly string[]).includes(instanceType ?? '')
      ? (instanceType as InstanceType)
      : stored.instanceType,
    maxInstances: record.max_instances ?? stored.maxInstances,
    tiers: record.constraints?.tiers ?? stored.tiers,
    durableObjectNamespaceId: record.durable_objects?.namespace_id ?? stored.durableObjectNamespaceId,
  };
}
