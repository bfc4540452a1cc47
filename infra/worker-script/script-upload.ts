/**
 * What the Worker's script upload says, and when a change needs a new upload. Pure: no SDK,
 * no Pulumi runtime, so the provider's decisions are tested on their own.
 *
 * The Worker is uploaded through the script upload API (`PUT /accounts/{account}/workers/
 * scripts/{name}`, multipart: a `metadata` part of JSON and one part per module), because that
 * is the path Cloudflare supports for a Worker with Durable Object migrations and containers:
 * it refuses a Worker *version* that carries migrations (error 10211; cloudflare-docs #32982),
 * and wrangler 4.164 never uses the versions API when there are migrations or containers
 * (`canUseNewVersionsDeploymentsApi`, `node_modules/wrangler/wrangler-dist/cli.js` near line
 * 183713). The metadata has the fields wrangler sends (`createWorkerUploadForm`, same file near
 * line 172080; the recorded deploy in `infra/deploy-contract/`), among them two the SDK's
 * `ScriptUpdateParams.Metadata` (cloudflare 7.3.0) does not list: `containers` and
 * `code_update_strategy`.
 */
import type { ScriptUpdateParams } from 'cloudflare/resources/workers/scripts/scripts';
import { containsUnknown, type InputRules } from '../dynamic-provider/cloudflare-dynamic-provider.ts';
import type { MigrationStep, UploadMigrations } from './pending-migrations.ts';

type MetadataBinding = NonNullable<ScriptUpdateParams.Metadata['bindings']>[number];

/** A binding whose value may sit in the state in the clear (everything but `secret_text`). */
export type PlainBinding = Extract<
  MetadataBinding,
  { type: 'kv_namespace' } | { type: 'plain_text' } | { type: 'durable_object_namespace' }
>;

/** A `secret_text` binding: its text is a Pulumi secret. */
interface SecretBinding {
  name: string;
  text: string;
}

/** A container-enabled Durable Object class (the `containers` entry of the metadata). */
interface ScriptContainer {
  /** The Containers application's name, which wrangler also sends here. */
  name: string;
  className: string;
}

/** The inputs of a `WorkerScript`. */
export interface WorkerScriptSpec {
  accountId: string;
  scriptName: string;
  /** The module that exports the handlers, e.g. `index.js`. */
  mainModule: string;
  /** Where the bundle is on this machine (not compared: the SHA-256 decides). */
  bundlePath: string;
  /** SHA-256 of the bundle: new code, new upload. */
  bundleSha256: string;
  compatibilityDate: string;
  compatibilityFlags: string[];
  bindings: PlainBinding[];
  /** Sent as `secret_text` bindings; a secret input and output. */
  secretBindings: SecretBinding[];
  /** Durable Object migrations, oldest first (never edit a deployed step, append one); `[]` for none. */
  migrations: MigrationStep[];
  containers: ScriptContainer[];
  /** Workers Logs for the script (`observability.enabled`). */
  observability: boolean;
}

/** What the provider stores: the inputs and what the last upload reported. */
export interface WorkerScriptState extends WorkerScriptSpec {
  /** The id of the version the last upload created (`deployment_id` of the upload's answer). */
  versionId: string;
  /** The Durable Object migration tag Cloudflare has applied, `''` for none. */
  migrationTag: string;
}

/**
 * How Durable Objects move to new code: wrangler's default for the script upload API
 * (`DEFAULT_DURABLE_OBJECTS_CODE_UPDATE_STRATEGY`, cli.js near line 222885).
 */
const CODE_UPDATE_STRATEGY = { mode: 'deferred', max_delay: 300 } as const;

/** The metadata part of the upload. */
export type UploadMetadata = ScriptUpdateParams.Metadata & {
  main_module: string;
  containers?: { name: string; class_name: string }[];
  code_update_strategy?: typeof CODE_UPDATE_STRATEGY;
};

/**
 * The metadata of an upload of `spec`, carrying `migrations` (those not yet applied).
 *
 * @example
 * ```ts
 * uploadMetadata(spec, pendingMigrations(spec.migrations, deployedTag));
 * // { main_module: 'index.js', bindings: [...], containers: [...], migrations: {...}, code_update_strategy: {...}, ... }
 * ```
 */
export function uploadMetadata(spec: WorkerScriptSpec, migrations: UploadMigrations | undefined): UploadMetadata {
  const durableObjects = spec.migrations.length > 0 || spec.containers.length > 0;
  return {
    main_module: spec.mainModule,
    bindings: [
      ...spec.bindings,
      ...spec.secretBindings.map(({ name, text }) => ({ type: 'secret_text' as const, name, text })),
    ],
    ...(spec.containers.length > 0
      ? { containers: spec.containers.map(({ name, className }) => ({ name, class_name: className })) }
      : {}),
    compatibility_date: spec.compatibilityDate,
    compatibility_flags: spec.compatibilityFlags,
    ...(migrations ? { migrations } : {}),
    // Sent by wrangler whenever it uploads a script rather than a version.
    ...(durableObjects ? { code_update_strategy: CODE_UPDATE_STRATEGY } : {}),
    observability: { enabled: spec.observability },
  };
}

/**
 * How the provider checks and compares a spec: every input but `bundlePath` (whose value
 * depends on where the repository is checked out) is compared; a new name or account uploads
 * the script anew, and the old one keeps serving until the new one is up.
 */
export const WORKER_SCRIPT_INPUTS: InputRules<WorkerScriptSpec> = {
  problems: scriptProblems,
  compared: [
    'accountId',
    'scriptName',
    'mainModule',
    'bundleSha256',
    'compatibilityDate',
    'compatibilityFlags',
    'bindings',
    'secretBindings',
    'migrations',
    'containers',
    'observability',
  ],
  replacing: ['accountId', 'scriptName'],
  deleteBeforeReplace: false,
};

const SCRIPT_NAME = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const HEX_ID = /^[0-9a-f]{32}$/;
const SHA256 = /^[0-9a-f]{64}$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Every problem with a spec, one sentence each; a value a preview does not know yet passes.
 *
 * @example
 * ```ts
 * scriptProblems({ ...spec, scriptName: 'Bad_Name' }); // ['scriptName "Bad_Name" must be lowercase letters, digits and hyphens']
 * ```
 */
function scriptProblems(spec: WorkerScriptSpec): string[] {
  const problems: string[] = [];
  const known = (value: unknown) => !containsUnknown(value);
  if (known(spec.accountId) && !HEX_ID.test(spec.accountId ?? ''))
    problems.push('accountId must be 32 lowercase hex characters');
  if (known(spec.scriptName) && !SCRIPT_NAME.test(spec.scriptName ?? '')) {
    problems.push(`scriptName ${JSON.stringify(spec.scriptName)} must be lowercase letters, digits and hyphens`);
  }
  if (known(spec.bundleSha256) && !SHA256.test(spec.bundleSha256 ?? ''))
    problems.push('bundleSha256 must be the SHA-256 of the bundle, 64 hex characters');
  if (known(spec.compatibilityDate) && !DATE.test(spec.compatibilityDate ?? ''))
    problems.push('compatibilityDate must be a date, YYYY-MM-DD');
  if (known(spec.bindings) && known(spec.migrations)) {
    // "You must initiate a migration process when you create a new Durable Object class"
    // (developers.cloudflare.com/durable-objects/reference/durable-object-class-migrations-legacy/):
    // caught here, in a preview, rather than by the upload halfway through a deploy.
    const created = new Set((spec.migrations ?? []).flatMap((step) => step.newSqliteClasses));
    for (const binding of spec.bindings ?? []) {
      const ownClass =
        binding.type === 'durable_object_namespace' && !binding.script_name ? binding.class_name : undefined;
      if (ownClass && !created.has(ownClass)) {
        problems.push(
          `bindings: ${binding.name} binds the Durable Object class ${ownClass}, which no migration creates`,
        );
      }
    }
  }
  if (known(spec.containers) && known(spec.bindings)) {
    for (const container of spec.containers ?? []) {
      const bound = (spec.bindings ?? []).some(
        (binding) => binding.type === 'durable_object_namespace' && binding.class_name === container.className,
      );
      const created = (spec.migrations ?? []).some((step) => step.newSqliteClasses.includes(container.className));
      if (!bound || !created) {
        problems.push(
          `containers: the class ${container.className} needs a durable_object_namespace binding and a migration that creates it`,
        );
      }
    }
  }
  return problems;
}
