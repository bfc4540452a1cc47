/**
 * The Pulumi dynamic provider that uploads the Worker through the script upload API, in the
 * sequence wrangler 4.164 uses for a Worker with Durable Object migrations and containers
 * (recorded in `infra/deploy-contract/`):
 *
 * 1. `GET /accounts/{account}/workers/services/{name}`: the migration tag Cloudflare has
 *    applied (`default_environment.script.migration_tag`; `404` when the Worker is new), as
 *    wrangler's `getMigrationsToUpload` reads it;
 * 2. `PUT /accounts/{account}/workers/scripts/{name}?excludeScript=true&bindings_inherit=strict`,
 *    multipart (`metadata` JSON and the module), carrying only the migrations not yet applied.
 *
 * `@pulumi/cloudflare`'s `WorkersScript` sends the same request but cannot say `containers`
 * (which marks the Durable Object class container-enabled) or `code_update_strategy`; its
 * `WorkerVersion` can say `containers` but goes through the versions API, which refuses
 * migrations. Hence this provider, on the official SDK's client (`client.get`/`client.put`:
 * the SDK's typed `scripts.update` encodes `metadata` as form fields, not the JSON part the
 * API reads).
 *
 * `diff` compares inputs only (no lookup), so nothing changes when nothing changed; the
 * deployed tag is read at the moment of the upload, never stored as an input.
 */
import {
  type ApiSubject,
  type CloudflareApiAccess,
  type CloudflareClient,
  callApi,
  cloudflareClient,
  cloudflareDynamicProvider,
  type CloudflareDynamicProvider,
  explain,
  statusOf,
} from '../dynamic-provider/cloudflare-dynamic-provider.ts';
import { pendingMigrations } from './pending-migrations.ts';
import {
  uploadMetadata,
  WORKER_SCRIPT_INPUTS,
  type WorkerScriptSpec,
  type WorkerScriptState,
} from './script-upload.ts';

/** The permission an API token needs for this provider's calls. */
const PERMISSION = 'Workers Scripts: Edit';

/** The provider object. */
export type WorkerScriptProvider = CloudflareDynamicProvider<WorkerScriptSpec, WorkerScriptState>;

/**
 * Makes the provider; `access` is for tests against a fake API, a deployment passes nothing.
 *
 * @example
 * ```ts
 * const provider = workerScriptProvider({ apiToken: 't', baseURL: fake.baseURL });
 * const { id, outs } = await provider.create!(spec);
 * ```
 */
export function workerScriptProvider(access: CloudflareApiAccess = {}): WorkerScriptProvider {
  return cloudflareDynamicProvider<WorkerScriptSpec, WorkerScriptState>(access, WORKER_SCRIPT_INPUTS, {
    async create(spec) {
      return { id: spec.scriptName, outs: await upload(cloudflareClient(this.access, 'upload the Worker'), spec) };
    },

    async update(_id, _olds, news) {
      return { outs: await upload(cloudflareClient(this.access, 'upload the Worker'), news) };
    },

    async read(id, state) {
      if (!state) throw new Error(`Cannot read Worker ${id} without its account: import it with its full state.`);
      const client = cloudflareClient(this.access, 'read the Worker');
      const tag = await deployedMigrationTag(client, state);
      if (tag === null) return {};
      return { id, props: { ...state, migrationTag: tag ?? '' } };
    },

    async delete(_id, state) {
      const client = cloudflareClient(this.access, 'delete the Worker');
      try {
        // `force`: the script's Durable Object namespaces go with it (what `pulumi destroy` means).
        await client.workers.scripts.delete(state.scriptName, { account_id: state.accountId, force: true });
      } catch (error) {
        if (statusOf(error) !== 404) throw explain(error, 'delete the Worker', subjectOf(state), PERMISSION);
      }
    },
  });
}

function subjectOf(spec: WorkerScriptSpec): ApiSubject {
  return { name: spec.scriptName, accountId: spec.accountId };
}

/**
 * The applied migration tag: `undefined` when the Worker has none, `null` when the Worker does
 * not exist (`404`, codes 10090/10092 as wrangler's `suppressNotFoundError` treats them).
 */
async function deployedMigrationTag(
  client: CloudflareClient,
  spec: WorkerScriptSpec,
): Promise<string | undefined | null> {
  try {
    const service = await client.get<{
      result?: { default_environment?: { script?: { migration_tag?: string } } };
    }>(`/accounts/${spec.accountId}/workers/services/${spec.scriptName}`);
    return service.result?.default_environment?.script?.migration_tag || undefined;
  } catch (error) {
    if (statusOf(error) === 404) return null;
    throw explain(error, "read the Worker's Durable Object migration tag", subjectOf(spec), PERMISSION);
  }
}

/**
 * The version id in an upload's answer: `deployment_id` holds the version's UUID without its
 * hyphens, which wrangler puts back before it asks for the version (`parseNonHyphenedUuid`,
 * cli.js near line 3197).
 */
function versionIdOf(deploymentId: string | undefined): string | undefined {
  if (!deploymentId || deploymentId.includes('-')) return deploymentId;
  const hex = /^([0-9a-f]{8})([0-9a-f]{4})([0-9a-f]{4})([0-9a-f]{4})([0-9a-f]{12})$/i.exec(deploymentId);
  return hex ? hex.slice(1).join('-') : undefined;
}

async function upload(client: CloudflareClient, spec: WorkerScriptSpec): Promise<WorkerScriptState> {
  const { readFile } = process.getBuiltinModule('node:fs/promises');
  const { createHash } = process.getBuiltinModule('node:crypto');
  const code = await readFile(spec.bundlePath);
  const sha256 = createHash('sha256').update(code).digest('hex');
  if (sha256 !== spec.bundleSha256) {
    throw new Error(
      `The Worker bundle at ${spec.bundlePath} has SHA-256 ${sha256}, not the ${spec.bundleSha256} this run planned; ` +
        'it changed during the run. Run pulumi up again.',
    );
  }
  const deployedTag = await deployedMigrationTag(client, spec);
  const migrations = pendingMigrations(spec.migrations, deployedTag ?? undefined);
  const metadata = uploadMetadata(spec, migrations);
  const form = new FormData();
  form.set('metadata', JSON.stringify(metadata));
  form.set(spec.mainModule, new File([code], spec.mainModule, { type: 'application/javascript+module' }));
  const answer = await callApi('upload the Worker', subjectOf(spec), PERMISSION, () =>
    client.put<{ result?: { deployment_id?: string; migration_tag?: string } }>(
      `/accounts/${spec.accountId}/workers/scripts/${spec.scriptName}`,
      // As wrangler: no script body echoed back; inherited bindings must resolve or the upload fails.
      { query: { excludeScript: 'true', bindings_inherit: 'strict' }, body: form },
    ),
  );
  const versionId = versionIdOf(answer.result?.deployment_id);
  if (!versionId) throw new Error(`Cloudflare accepted the upload of ${spec.scriptName} but named no version.`);
  return {
    ...spec,
    versionId,
    migrationTag: migrations?.new_tag ?? deployedTag ?? '',
  };
}
