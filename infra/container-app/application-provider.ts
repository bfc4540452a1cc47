/**
 * The Pulumi dynamic provider for a Cloudflare Containers application, on the official
 * `cloudflare` SDK (`client.containers.applications.*`); `@pulumi/cloudflare` has no such
 * resource (pulumi-cloudflare #1403).
 *
 * - check: validates the spec (digest-pinned image, instance type, names).
 * - diff: name, account or Durable Object class → replace (delete first: names are unique);
 *   max instances → PATCH; image or instance type → a rollout.
 * - create / read / update / delete map to the API's create / get / edit + rollouts / delete.
 *   Delete and read treat a `404` as "already gone".
 *
 * The API token is read when Pulumi configures the provider (`cloudflare:apiToken`, the key
 * the Cloudflare provider uses, or `CLOUDFLARE_API_TOKEN`), so it is never an input and never
 * lands in this resource's state. The SDK retries `429` and `5xx` with `Retry-After`.
 *
 * Pulumi serializes this object into the state and runs it in its own process: the methods
 * load the SDK when called and use only the pure helpers of `application-spec.ts`.
 */
import type * as pulumi from '@pulumi/pulumi';
import {
  type ApplicationRecord,
  type ApplicationSpec,
  type ApplicationState,
  diffSpecs,
  specProblems,
  toCreateBody,
  toState,
} from './application-spec.ts';

/** How the provider reaches the API. Tests set all three; a deployment sets none. */
export interface ContainersApiAccess {
  apiToken?: string;
  /** Where the API is; the SDK's default is `https://api.cloudflare.com/client/v4`. */
  baseURL?: string;
  /** Retries of `408`, `429` and `5xx` answers (the SDK waits as `Retry-After` says). */
  maxRetries?: number;
}

/** The dynamic provider object, with the token it was configured with. */
export type ContainerApplicationProvider = pulumi.dynamic.ResourceProvider<ApplicationSpec, ApplicationState> & {
  access: ContainersApiAccess;
};

/**
 * Makes the provider. `access` is for tests against a fake API; a deployment passes nothing.
 *
 * @example
 * ```ts
 * const provider = containerApplicationProvider({ apiToken: 't', baseURL: fake.baseURL });
 * const { id, outs } = await provider.create!(spec);
 * ```
 */
export function containerApplicationProvider(access: ContainersApiAccess = {}): ContainerApplicationProvider {
  return {
    access: { ...access },

    async configure(request) {
      this.access.apiToken ??= request.config.get('cloudflare:apiToken') ?? process.env.CLOUDFLARE_API_TOKEN;
    },

    async check(_olds, news) {
      return {
        inputs: news,
        failures: specProblems(news).map((reason) => ({ property: reason.split(' ')[0] ?? '', reason })),
      };
    },

    async diff(_id, olds, news) {
      const change = diffSpecs(olds, news);
      return {
        changes: change.changes.length > 0,
        replaces: change.replaces,
        // The replacement would take the same name, which the API refuses while the old one exists.
        deleteBeforeReplace: change.replaces.length > 0,
      };
    },

    async create(spec) {
      const client = await connect(this.access);
      const created = await call('create the Containers application', spec, () =>
        client.containers.applications.create({ account_id: spec.accountId, ...toCreateBody(spec) }),
      );
      return { id: created.id, outs: toState(spec, created as ApplicationRecord) };
    },

    async read(id, state) {
      if (!state)
        throw new Error(`Cannot read Containers application ${id} without its account: import it with its full state.`);
      const client = await connect(this.access);
      try {
        const record = await client.containers.applications.get(id, { account_id: state.accountId });
        return { id, props: toState(state, record as ApplicationRecord) };
      } catch (error) {
        if (statusOf(error) === 404) return {};
        throw explain(error, 'read the Containers application', state);
      }
    },

    async update(id, olds, news) {
      const client = await connect(this.access);
      const change = diffSpecs(olds, news);
      if (change.patch) {
        await call('change max_instances of the Containers application', news, () =>
          client.containers.applications.edit(id, { account_id: news.accountId, max_instances: news.maxInstances }),
        );
      }
      if (change.rollout) {
        await call('roll out the new image', news, () =>
          client.containers.applications.rollouts.create(id, {
            account_id: news.accountId,
            description: `secure-mcp: ${news.image} on ${news.instanceType}`,
            strategy: 'rolling',
            kind: 'full_auto',
            step_percentage: 100,
            target_configuration: { image: news.image, instance_type: news.instanceType },
          }),
        );
      }
      const record = await call('read the Containers application', news, () =>
        client.containers.applications.get(id, { account_id: news.accountId }),
      );
      // A rollout is under way: the record may still show the old image; the state records the target.
      return {
        outs: { ...toState(news, record as ApplicationRecord), image: news.image, instanceType: news.instanceType },
      };
    },

    async delete(id, state) {
      const client = await connect(this.access);
      try {
        await client.containers.applications.delete(id, { account_id: state.accountId });
      } catch (error) {
        if (statusOf(error) !== 404) throw explain(error, 'delete the Containers application', state);
      }
    },
  };
}

async function connect(access: ContainersApiAccess) {
  const apiToken = access.apiToken ?? process.env.CLOUDFLARE_API_TOKEN;
  if (!apiToken) {
    throw new Error(
      'No Cloudflare API token for the Containers application: pulumi config set --secret cloudflare:apiToken <token> ' +
        '(or set CLOUDFLARE_API_TOKEN).',
    );
  }
  // Not `import()`: this code is serialized into the state and revived by Pulumi's dynamic-provider
  // host as a CommonJS module, which runs in the project folder; a require from there finds the SDK.
  const { createRequire } = process.getBuiltinModule('node:module');
  const Cloudflare = createRequire(`${process.cwd()}/package.json`)(
    'cloudflare',
  ) as typeof import('cloudflare').default;
  return new Cloudflare({
    apiToken,
    maxRetries: access.maxRetries ?? 4,
    ...(access.baseURL ? { baseURL: access.baseURL } : {}),
  });
}

async function call<T>(action: string, spec: ApplicationSpec, request: () => Promise<T>): Promise<T> {
  try {
    return await request();
  } catch (error) {
    throw explain(error, action, spec);
  }
}

function statusOf(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' ? status : undefined;
}

/**
 * Turns an SDK error into one sentence that says what failed and what to do. Kept beside the
 * provider (not in the spec module) because it reads SDK errors.
 */
export function explain(
  error: unknown,
  action: string,
  spec: Pick<ApplicationSpec, 'name' | 'accountId'>,
  permission = 'Containers: Edit',
): Error {
  const status = statusOf(error);
  const detail = error instanceof Error ? error.message : String(error);
  const subject = `Could not ${action} "${spec.name}" in account ${spec.accountId}`;
  switch (status) {
    case 401:
    case 403:
      return new Error(
        `${subject}: Cloudflare refused the API token (${status}). The token needs the account permission ` +
          `"${permission}" (docs/deploy.md, step 1). Cloudflare said: ${detail}`,
      );
    case 409:
      return new Error(
        `${subject}: an application with that name already exists (409), made outside this stack. ` +
          `Delete it (dashboard: Workers & Pages, Containers) or adopt it with pulumi import, then run pulumi up again.`,
      );
    case 429:
      return new Error(
        `${subject}: Cloudflare kept rate-limiting the requests (429) after retrying. Wait a minute and run pulumi up again.`,
      );
    default:
      return new Error(`${subject}: ${status ? `Cloudflare answered ${status}: ` : ''}${detail}`);
  }
}
