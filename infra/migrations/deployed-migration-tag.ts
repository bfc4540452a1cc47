/**
 * `DeployedMigrationTag`: the Durable Object migration tag Cloudflare last applied to a Worker
 * (`migration_tag` of the script in `client.workers.scripts.list`), read again on every
 * `pulumi up` so the next Worker version carries exactly the pending migrations
 * (`pending-migrations.ts`). `''` when the Worker does not exist yet or has no migration.
 *
 * Its diff always reports a change, so the lookup runs on every update, as the registry
 * credentials do. The API token comes from stack config when Pulumi configures the provider.
 */
import * as pulumi from '@pulumi/pulumi';
import { type ContainersApiAccess, explain } from '../container-app/application-provider.ts';

export interface MigrationTagInputs {
  accountId: string;
  scriptName: string;
}

export interface MigrationTagOutputs extends MigrationTagInputs {
  /** The applied tag, `''` when none. */
  tag: string;
}

/**
 * The provider; `access` is for tests against a fake API.
 *
 * @example
 * ```ts
 * const { outs } = await deployedMigrationTagProvider({ apiToken, baseURL }).create!({ accountId, scriptName });
 * outs.tag; // 'v1'
 * ```
 */
export function deployedMigrationTagProvider(
  access: ContainersApiAccess = {},
): pulumi.dynamic.ResourceProvider<MigrationTagInputs, MigrationTagOutputs> & { access: ContainersApiAccess } {
  return {
    access: { ...access },
    async configure(request) {
      this.access.apiToken ??= request.config.get('cloudflare:apiToken') ?? process.env.CLOUDFLARE_API_TOKEN;
    },
    async diff() {
      return { changes: true };
    },
    async create(inputs) {
      return {
        id: `${inputs.accountId}/${inputs.scriptName}`,
        outs: { ...inputs, tag: await lookUpTag(this.access, inputs) },
      };
    },
    async update(_id, _olds, news) {
      return { outs: { ...news, tag: await lookUpTag(this.access, news) } };
    },
    async delete() {
      // Nothing to delete: this only reads.
    },
  };
}

async function lookUpTag(access: ContainersApiAccess, inputs: MigrationTagInputs): Promise<string> {
  const apiToken = access.apiToken ?? process.env.CLOUDFLARE_API_TOKEN;
  if (!apiToken)
    throw new Error(
      "No Cloudflare API token to read the Worker's migration tag: pulumi config set --secret cloudflare:apiToken <token>.",
    );
  // Loaded at run time, as in application-provider.ts (this code is revived from the state).
  const { createRequire } = process.getBuiltinModule('node:module');
  const Cloudflare = createRequire(`${process.cwd()}/package.json`)(
    'cloudflare',
  ) as typeof import('cloudflare').default;
  const client = new Cloudflare({
    apiToken,
    maxRetries: access.maxRetries ?? 4,
    ...(access.baseURL ? { baseURL: access.baseURL } : {}),
  });
  try {
    for await (const script of client.workers.scripts.list({ account_id: inputs.accountId })) {
      if (script.id === inputs.scriptName) return script.migration_tag ?? '';
    }
    return '';
  } catch (error) {
    throw explain(
      error,
      'read the Durable Object migration tag of the Worker',
      { name: inputs.scriptName, accountId: inputs.accountId },
      'Workers Scripts: Edit',
    );
  }
}

/** Type token of this resource (for tests). */
export const DEPLOYED_MIGRATION_TAG_TYPE = 'pulumi-nodejs:dynamic/secure-mcp:DeployedMigrationTag';

/**
 * The migration tag Cloudflare last applied to a Worker, fresh on every `pulumi up`.
 *
 * @example
 * ```ts
 * const deployed = new DeployedMigrationTag('gateway-migration-tag', { accountId, scriptName });
 * deployed.tag.apply((tag) => pendingMigrations(history, tag || undefined));
 * ```
 */
export class DeployedMigrationTag extends pulumi.dynamic.Resource {
  declare readonly tag: pulumi.Output<string>;

  constructor(
    name: string,
    args: { accountId: pulumi.Input<string>; scriptName: pulumi.Input<string> },
    opts?: pulumi.CustomResourceOptions,
  ) {
    super(
      deployedMigrationTagProvider(),
      name,
      { ...args, tag: undefined },
      opts,
      'secure-mcp',
      'DeployedMigrationTag',
    );
  }
}
