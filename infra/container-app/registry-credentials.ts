/**
 * `RegistryCredentials`: short-lived push credentials for Cloudflare's managed image registry
 * (`registry.cloudflare.com`), from the registry credentials endpoint
 * (`client.containers.registries.credentials.generate`).
 *
 * They expire within minutes, so a stored pair is worthless on the next run: the provider's
 * diff always reports a change, and every `pulumi up` asks for a fresh pair just before the
 * image is pushed. The password is a secret output; the API token comes from stack config
 * when Pulumi configures the provider, as for the Containers application.
 */
import * as pulumi from '@pulumi/pulumi';
import { type ContainersApiAccess, explain } from './application-provider.ts';

/** Cloudflare's managed registry. */
export const CLOUDFLARE_REGISTRY = 'registry.cloudflare.com';
/** Long enough for a build and a push of the bridge image; short enough to be useless later. */
const CREDENTIALS_LIFETIME_MINUTES = 30;

export interface RegistryCredentialsInputs {
  accountId: string;
}

export interface RegistryCredentialsOutputs extends RegistryCredentialsInputs {
  server: string;
  username: string;
  password: string;
}

/** Type token of this resource (for tests). */
export const REGISTRY_CREDENTIALS_TYPE = 'pulumi-nodejs:dynamic/secure-mcp:RegistryCredentials';

/**
 * The provider; `access` is for tests against a fake API.
 *
 * @example
 * ```ts
 * const { outs } = await registryCredentialsProvider({ apiToken, baseURL }).create!({ accountId });
 * outs.username; outs.password;
 * ```
 */
export function registryCredentialsProvider(access: ContainersApiAccess = {}): pulumi.dynamic.ResourceProvider<
  RegistryCredentialsInputs,
  RegistryCredentialsOutputs
> & {
  access: ContainersApiAccess;
} {
  return {
    access: { ...access },
    async configure(request) {
      this.access.apiToken ??= request.config.get('cloudflare:apiToken') ?? process.env.CLOUDFLARE_API_TOKEN;
    },
    async diff() {
      return { changes: true };
    },
    async create(inputs) {
      return { id: `${inputs.accountId}/${CLOUDFLARE_REGISTRY}`, outs: await generate(this.access, inputs) };
    },
    async update(_id, _olds, news) {
      return { outs: await generate(this.access, news) };
    },
    async delete() {
      // Nothing to delete: the credentials expire on their own.
    },
  };
}

async function generate(
  access: ContainersApiAccess,
  inputs: RegistryCredentialsInputs,
): Promise<RegistryCredentialsOutputs> {
  const apiToken = access.apiToken ?? process.env.CLOUDFLARE_API_TOKEN;
  if (!apiToken) {
    throw new Error(
      'No Cloudflare API token for the image registry: pulumi config set --secret cloudflare:apiToken <token>.',
    );
  }
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
    const credentials = await client.containers.registries.credentials.generate(CLOUDFLARE_REGISTRY, {
      account_id: inputs.accountId,
      expiration_minutes: CREDENTIALS_LIFETIME_MINUTES,
      permissions: ['push', 'pull'],
    });
    return {
      accountId: inputs.accountId,
      server: credentials.registry_host,
      username: credentials.username,
      password: credentials.password,
    };
  } catch (error) {
    throw explain(error, 'get push credentials for the image registry', {
      name: CLOUDFLARE_REGISTRY,
      accountId: inputs.accountId,
    });
  }
}

/**
 * Fresh push credentials for `registry.cloudflare.com`, on every `pulumi up`.
 *
 * @example
 * ```ts
 * const credentials = new RegistryCredentials('registry', { accountId });
 * new docker.Image('bridge', { ..., registry: { server: credentials.server, username: credentials.username, password: credentials.password } });
 * ```
 */
export class RegistryCredentials extends pulumi.dynamic.Resource {
  declare readonly server: pulumi.Output<string>;
  declare readonly username: pulumi.Output<string>;
  declare readonly password: pulumi.Output<string>;

  constructor(name: string, args: { accountId: pulumi.Input<string> }, opts?: pulumi.CustomResourceOptions) {
    super(
      registryCredentialsProvider(),
      name,
      { ...args, server: undefined, username: undefined, password: undefined },
      { ...opts, additionalSecretOutputs: ['password'] },
      'secure-mcp',
      'RegistryCredentials',
    );
  }
}
