/**
 * `RegistryCredentials`: where the bridge image goes in Cloudflare's managed registry, and
 * short-lived credentials to push it, asked for as wrangler 4.164 asks (recorded in
 * `infra/deploy-contract/`; `getContainerAccount` and `dockerLoginImageRegistry`,
 * `node_modules/wrangler/wrangler-dist/cli.js` near lines 147473 and 146933):
 *
 * 1. `GET /accounts/{account}/containers/me`: the account's `external_account_id`, the
 *    namespace of its images in the registry (`<registry>/<external_account_id>/<name>`; it is
 *    not the account id);
 * 2. `POST /accounts/{account}/containers/registries/{registry}/credentials` with
 *    `expiration_minutes` and `permissions: ["push", "pull"]`: a username and password.
 *
 * The credentials expire within minutes, so they are asked for again exactly when the image
 * is built again: the input `buildDigest` is the digest of the build's inputs
 * (`build-context-digest.ts`), and `diff` reports a change only when it (or the account,
 * registry or name) changed. A run where nothing changed shows no change here, and so none in
 * the image (whose `registry` input these outputs are).
 */
import type * as pulumi from '@pulumi/pulumi';
import {
  type CloudflareApiAccess,
  type CloudflareClient,
  type CloudflareDynamicProvider,
  callApi,
  cloudflareClient,
  cloudflareDynamicProvider,
  type InputRules,
} from '../dynamic-provider/cloudflare-dynamic-provider.ts';
import {
  dynamicResourceType,
  type ResourceArgs,
  SecureMcpDynamicResource,
} from '../dynamic-provider/dynamic-resource.ts';

/** Cloudflare's managed registry. */
export const CLOUDFLARE_REGISTRY = 'registry.cloudflare.com';
/** Long enough for a build and a push of the bridge image (wrangler asks for 15); short enough to be useless later. */
const CREDENTIALS_LIFETIME_MINUTES = 30;

export interface RegistryCredentialsInputs {
  accountId: string;
  /** The registry host, `registry.cloudflare.com` (a loopback registry in tests). */
  registry: string;
  /** The repository's last part: the Containers application's name. */
  repositoryName: string;
  /** The digest of what the image is built from: a new one asks for new credentials. */
  buildDigest: string;
}

export interface RegistryCredentialsOutputs extends RegistryCredentialsInputs {
  /** `<registry>/<external_account_id>/<repositoryName>`, no tag or digest. */
  repository: string;
  externalAccountId: string;
  username: string;
  password: string;
}

/** The resource's arguments, each of which may be an output of another resource. */
export type RegistryCredentialsArgs = ResourceArgs<RegistryCredentialsInputs>;

const TYPE_NAME = 'RegistryCredentials';
/** Type token of this resource (for tests). */
export const REGISTRY_CREDENTIALS_TYPE = dynamicResourceType(TYPE_NAME);

const PERMISSION = 'Containers: Edit';
/** Every input is compared: new credentials exactly when the image is built anew (or goes elsewhere). */
const INPUTS: InputRules<RegistryCredentialsInputs> = {
  compared: ['accountId', 'registry', 'repositoryName', 'buildDigest'],
};

/**
 * The provider; `access` is for tests against a fake API.
 *
 * @example
 * ```ts
 * const { outs } = await registryCredentialsProvider({ apiToken, baseURL }).create!(inputs);
 * outs.repository; outs.username; outs.password;
 * ```
 */
export function registryCredentialsProvider(
  access: CloudflareApiAccess = {},
): CloudflareDynamicProvider<RegistryCredentialsInputs, RegistryCredentialsOutputs> {
  return cloudflareDynamicProvider<RegistryCredentialsInputs, RegistryCredentialsOutputs>(access, INPUTS, {
    async create(inputs) {
      const client = cloudflareClient(this.access, 'get push credentials for the image registry');
      return {
        id: `${inputs.accountId}/${inputs.registry}/${inputs.repositoryName}`,
        outs: await generate(client, inputs),
      };
    },
    async update(_id, _olds, news) {
      const client = cloudflareClient(this.access, 'get push credentials for the image registry');
      return { outs: await generate(client, news) };
    },
    async delete() {
      // Nothing to delete: the credentials expire on their own.
    },
  });
}

async function generate(
  client: CloudflareClient,
  inputs: RegistryCredentialsInputs,
): Promise<RegistryCredentialsOutputs> {
  const subject = { name: inputs.registry, accountId: inputs.accountId };
  const me = await callApi('read the Containers account', subject, PERMISSION, () =>
    client.get<{ result?: { external_account_id?: string } }>(`/accounts/${inputs.accountId}/containers/me`),
  );
  const externalAccountId = me.result?.external_account_id;
  if (!externalAccountId) {
    throw new Error(
      `Cloudflare's Containers account of ${inputs.accountId} has no external_account_id: are Containers enabled on ` +
        'the account (a Workers Paid plan)? docs/deploy.md, "Before you start".',
    );
  }
  const credentials = await callApi('get push credentials for the image registry', subject, PERMISSION, () =>
    client.containers.registries.credentials.generate(inputs.registry, {
      account_id: inputs.accountId,
      expiration_minutes: CREDENTIALS_LIFETIME_MINUTES,
      permissions: ['push', 'pull'],
    }),
  );
  return {
    ...inputs,
    repository: `${inputs.registry}/${externalAccountId}/${inputs.repositoryName}`,
    externalAccountId,
    username: credentials.username,
    password: credentials.password,
  };
}

/**
 * The image's repository and push credentials, fresh whenever the image is built anew.
 *
 * @example
 * ```ts
 * const credentials = new RegistryCredentials('registry', { accountId, registry: CLOUDFLARE_REGISTRY, repositoryName, buildDigest });
 * new docker.Image('bridge', { imageName: pulumi.interpolate`${credentials.repository}:${tag}`, registry: { server: credentials.registry, username: credentials.username, password: credentials.password }, … });
 * ```
 */
export class RegistryCredentials extends SecureMcpDynamicResource {
  declare readonly registry: pulumi.Output<string>;
  declare readonly repository: pulumi.Output<string>;
  declare readonly externalAccountId: pulumi.Output<string>;
  declare readonly username: pulumi.Output<string>;
  declare readonly password: pulumi.Output<string>;

  constructor(name: string, args: RegistryCredentialsArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      TYPE_NAME,
      registryCredentialsProvider(),
      name,
      { ...args, repository: undefined, externalAccountId: undefined, username: undefined, password: undefined },
      { ...opts, additionalSecretOutputs: ['password'] },
    );
  }
}
