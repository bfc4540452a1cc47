/**
 * The Pulumi dynamic provider for a Cloudflare Containers application, on the official
 * `cloudflare` SDK (`client.containers.applications.*`); `@pulumi/cloudflare` has no such
 * resource (pulumi-cloudflare #1403). It follows wrangler 4.164's sequence (recorded in
 * `infra/deploy-contract/`):
 *
 * - create: `GET …/workers/scripts/{script}/versions/{version}` for the namespace id of the
 *   Durable Object class (`createDurableObjectNamespaceResolver`, cli.js near line 148297),
 *   `GET …/containers/applications` to find one of the same name, then `POST` a new one (or,
 *   when one of that name already runs on this very namespace, as after a run that stopped
 *   before Pulumi saved its state, adopt it with the update below);
 * - update: `PATCH` the application, then `POST …/rollouts` to move its instances;
 * - read: `GET` the application; delete: `DELETE` it. Both treat a `404` as "already gone".
 *
 * `check` accepts values a preview does not know yet; `diff` compares inputs only.
 */
import {
  type CloudflareApiAccess,
  type CloudflareClient,
  type CloudflareDynamicProvider,
  callApi,
  cloudflareClient,
  cloudflareDynamicProvider,
  explain,
  statusOf,
} from '../dynamic-provider/cloudflare-dynamic-provider.ts';
import {
  APPLICATION_INPUTS,
  type ApplicationRecord,
  type ApplicationSpec,
  type ApplicationState,
  refreshedState,
  toCreateBody,
  toEditBody,
  toRolloutBody,
} from './application-spec.ts';

/** The permission an API token needs for these calls. */
const PERMISSION = 'Containers: Edit';

/** The dynamic provider object. */
export type ContainerApplicationProvider = CloudflareDynamicProvider<ApplicationSpec, ApplicationState>;

/**
 * Makes the provider. `access` is for tests against a fake API; a deployment passes nothing.
 *
 * @example
 * ```ts
 * const provider = containerApplicationProvider({ apiToken: 't', baseURL: fake.baseURL });
 * const { id, outs } = await provider.create!(spec);
 * ```
 */
export function containerApplicationProvider(access: CloudflareApiAccess = {}): ContainerApplicationProvider {
  return cloudflareDynamicProvider<ApplicationSpec, ApplicationState>(access, APPLICATION_INPUTS, {
    async create(spec) {
      const client = cloudflareClient(this.access, 'create the Containers application');
      const namespaceId = await namespaceIdOf(client, spec);
      const existing = await callApi('list the Containers applications', spec, PERMISSION, async () => {
        for await (const application of client.containers.applications.list({ account_id: spec.accountId })) {
          if (application.name === spec.name) return application as ApplicationRecord;
        }
        return undefined;
      });
      if (existing) {
        if (existing.durable_objects?.namespace_id !== namespaceId) {
          throw new Error(
            `A Containers application named "${spec.name}" already exists in account ${spec.accountId}, tied to another ` +
              'Durable Object namespace. Delete it (dashboard: Workers & Pages, Containers) or rename this stack, then run pulumi up again.',
          );
        }
        const observed = (existing as { observability?: { logs?: { enabled?: boolean } } }).observability?.logs
          ?.enabled;
        await modify(client, existing.id, spec, observed);
        return { id: existing.id, outs: { ...spec, durableObjectNamespaceId: namespaceId } };
      }
      const created = await callApi('create the Containers application', spec, PERMISSION, () =>
        client.containers.applications.create({ account_id: spec.accountId, ...toCreateBody(spec, namespaceId) }),
      );
      return { id: created.id, outs: { ...spec, durableObjectNamespaceId: namespaceId } };
    },

    async read(id, state) {
      if (!state)
        throw new Error(`Cannot read Containers application ${id} without its account: import it with its full state.`);
      const client = cloudflareClient(this.access, 'read the Containers application');
      try {
        const record = await client.containers.applications.get(id, { account_id: state.accountId });
        return { id, props: refreshedState(state, record as ApplicationRecord) };
      } catch (error) {
        if (statusOf(error) === 404) return {};
        throw explain(error, 'read the Containers application', state, PERMISSION);
      }
    },

    async update(id, olds, news) {
      await modify(cloudflareClient(this.access, 'update the Containers application'), id, news, olds.observability);
      return { outs: { ...news, durableObjectNamespaceId: olds.durableObjectNamespaceId } };
    },

    async delete(id, state) {
      const client = cloudflareClient(this.access, 'delete the Containers application');
      try {
        await client.containers.applications.delete(id, { account_id: state.accountId });
      } catch (error) {
        if (statusOf(error) !== 404) throw explain(error, 'delete the Containers application', state, PERMISSION);
      }
    },
  });
}

/** The id of the Durable Object namespace of the spec's class, from the Worker version's bindings. */
async function namespaceIdOf(client: CloudflareClient, spec: ApplicationSpec): Promise<string> {
  const { scriptName, className } = spec.durableObjects;
  const version = await callApi(
    `read version ${spec.workerVersionId} of the Worker ${scriptName}`,
    spec,
    'Workers Scripts: Edit',
    () =>
      client.workers.scripts.versions.get(spec.workerVersionId, {
        account_id: spec.accountId,
        script_name: scriptName,
      }),
  );
  // The SDK types `bindings` per kind; a Durable Object binding of the version carries its namespace id.
  const bindings = version.resources.bindings as
    | { type?: string; class_name?: string; namespace_id?: string }[]
    | undefined;
  const binding = bindings?.find(
    (candidate) => candidate.type === 'durable_object_namespace' && candidate.class_name === className,
  );
  if (!binding?.namespace_id) {
    throw new Error(
      `Version ${spec.workerVersionId} of the Worker ${scriptName} has no Durable Object namespace for ${className}; ` +
        "the upload did not create the class. Check the Worker's migrations (infra/mcp-container.ts).",
    );
  }
  return binding.namespace_id;
}

/** `PATCH` then a rollout, as wrangler's `doAction({ action: "modify" })`. */
async function modify(
  client: CloudflareClient,
  id: string,
  spec: ApplicationSpec,
  previousObservability: boolean | undefined,
): Promise<void> {
  await callApi('change the Containers application', spec, PERMISSION, () =>
    client.containers.applications.edit(id, { account_id: spec.accountId, ...toEditBody(spec, previousObservability) }),
  );
  await callApi('roll out the new configuration', spec, PERMISSION, () =>
    client.containers.applications.rollouts.create(id, { account_id: spec.accountId, ...toRolloutBody(spec) }),
  );
}
