/**
 * The one base the program's Pulumi dynamic providers share (the Worker script upload, the
 * Containers application, the registry credentials): how each finds the API token, how it
 * reaches Cloudflare through the official `cloudflare` SDK, how an SDK error becomes one
 * sentence that says what to do, how a preview's unknown inputs are recognised, and the
 * `check` and `diff` each makes from its {@link InputRules}.
 *
 * Pulumi serializes a dynamic provider object into the state and revives it in its own
 * process (`@pulumi/pulumi/cmd/dynamic-provider`), so everything here is plain functions and
 * constants that survive that trip: the SDK is loaded when a method runs, never captured.
 */
import type * as pulumi from '@pulumi/pulumi';

/** How a provider reaches the API. Tests set all three; a deployment sets none. */
export interface CloudflareApiAccess {
  apiToken?: string;
  /** Where the API is; the SDK's default is `https://api.cloudflare.com/client/v4`. */
  baseURL?: string;
  /** Retries of `408`, `409`, `429` and `5xx` answers (the SDK waits as `Retry-After` says). */
  maxRetries?: number;
}

/** A dynamic provider with the API access it was made or configured with. */
export type CloudflareDynamicProvider<Inputs, Outputs> = pulumi.dynamic.ResourceProvider<Inputs, Outputs> & {
  access: CloudflareApiAccess;
};

/** The provider's methods; `configure`, `check` and `diff` come from the base. */
export type CloudflareProviderMethods<Inputs, Outputs> = Omit<
  pulumi.dynamic.ResourceProvider<Inputs, Outputs>,
  'configure' | 'check' | 'diff'
> &
  ThisType<CloudflareDynamicProvider<Inputs, Outputs>>;

/** The name of one of a provider's inputs. */
type InputName<Inputs> = Extract<keyof Inputs, string>;

/**
 * How a provider judges its inputs; the base makes `check` and `diff` from it, so that every
 * provider refuses bad input before any request and shows no change when nothing changed.
 */
export interface InputRules<Inputs> {
  /**
   * Every problem with the inputs, one sentence each that starts with the input's name (which
   * becomes the failure's `property`); a value a preview does not know yet must pass.
   */
  problems?: (inputs: Inputs) => string[];
  /** The inputs `diff` compares; any other (a checkout path, say) never makes a change. */
  compared: readonly InputName<Inputs>[];
  /** Those of them whose change replaces the resource instead of updating it in place. */
  replacing?: readonly InputName<Inputs>[];
  /** Whether the old resource goes before its replacement is made (the API refuses two of one name). */
  deleteBeforeReplace?: boolean;
}

/**
 * What Pulumi hands a dynamic provider for an input that is not known yet (a preview before
 * the resource it comes from exists): `rpc.unknownValue` of `@pulumi/pulumi` (a test checks
 * they agree). Spelled out so the provider's serialized code captures a string, not a module.
 */
export const UNKNOWN_INPUT = '04da6b54-80e4-46f7-96ec-b56ff0331ba9';

/**
 * Makes a dynamic provider that reads the API token when Pulumi configures it: the
 * `cloudflare:apiToken` stack setting (the key the Cloudflare provider uses) or
 * `CLOUDFLARE_API_TOKEN`. The token is never an input, so it never lands in any state.
 * Its `check` and `diff` follow `rules`; `methods` give the calls to Cloudflare.
 *
 * @example
 * ```ts
 * const provider = cloudflareDynamicProvider<Inputs, Outputs>(access, { problems, compared: ['name'] }, {
 *   async create(inputs) {
 *     const client = cloudflareClient(this.access, 'create the thing');
 *     return { id: '…', outs: { ...inputs } };
 *   },
 * });
 * ```
 */
export function cloudflareDynamicProvider<Inputs extends object, Outputs extends Inputs>(
  access: CloudflareApiAccess,
  rules: InputRules<Inputs>,
  methods: CloudflareProviderMethods<Inputs, Outputs>,
): CloudflareDynamicProvider<Inputs, Outputs> {
  return {
    access: { ...access },
    async configure(request) {
      this.access.apiToken ??= request.config.get('cloudflare:apiToken') ?? process.env.CLOUDFLARE_API_TOKEN;
    },
    async check(_olds, news) {
      return { inputs: news, failures: (rules.problems?.(news) ?? []).map(failureOf) };
    },
    async diff(_id, olds, news) {
      const change = inputChange(olds, news, rules);
      return {
        changes: change.changes.length > 0,
        replaces: change.replaces,
        deleteBeforeReplace: (rules.deleteBeforeReplace ?? false) && change.replaces.length > 0,
      };
    },
    ...methods,
  };
}

/** A problem sentence as Pulumi shows a check failure: under the input it starts with. */
function failureOf(reason: string): pulumi.dynamic.CheckFailure {
  return { property: /^[A-Za-z]\w*/.exec(reason)?.[0] ?? '', reason };
}

/** How a change from `olds` (inputs or the stored state) to `news` is applied. */
export interface InputChange<Inputs> {
  /** The compared inputs that changed. */
  changes: InputName<Inputs>[];
  /** Those of them that replace the resource. */
  replaces: InputName<Inputs>[];
}

/**
 * Compares inputs as `rules` say; the provider's `diff` is this, told to Pulumi.
 *
 * @example
 * ```ts
 * inputChange(spec, { ...spec, name: 'other' }, { compared: ['name', 'image'], replacing: ['name'] });
 * // { changes: ['name'], replaces: ['name'] }
 * ```
 */
export function inputChange<Inputs extends object>(
  olds: Inputs,
  news: Inputs,
  rules: InputRules<Inputs>,
): InputChange<Inputs> {
  const changes = changedKeys(olds, news, rules.compared);
  return { changes, replaces: changes.filter((key) => rules.replacing?.includes(key) ?? false) };
}

/** The SDK's client class. */
export type CloudflareClient = InstanceType<typeof import('cloudflare').default>;

/**
 * An SDK client for `access`, or an error that says how to give the token.
 *
 * @example
 * ```ts
 * const client = cloudflareClient(this.access, 'create the Containers application');
 * ```
 */
export function cloudflareClient(access: CloudflareApiAccess, purpose: string): CloudflareClient {
  const apiToken = access.apiToken ?? process.env.CLOUDFLARE_API_TOKEN;
  if (!apiToken) {
    throw new Error(
      `No Cloudflare API token to ${purpose}: pulumi config set --secret cloudflare:apiToken <token> ` +
        '(or set CLOUDFLARE_API_TOKEN).',
    );
  }
  // Not `import()`: this code is revived by Pulumi's dynamic-provider host as a CommonJS module
  // that runs in the project folder (or below it, `main: infra/`); a require from there finds the SDK.
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

/** The HTTP status of an SDK error, if it carries one. */
export function statusOf(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' ? status : undefined;
}

/** What a failed call was about: the thing's name and its account. */
export interface ApiSubject {
  name: string;
  accountId: string;
}

/**
 * Turns an SDK error into one sentence that says what failed and what to do.
 *
 * @example
 * ```ts
 * throw explain(error, 'create the Containers application', spec, 'Containers: Edit');
 * // Could not create the Containers application "x" in account …: Cloudflare refused the API token (403). …
 * ```
 */
export function explain(error: unknown, action: string, subject: ApiSubject, permission: string): Error {
  const status = statusOf(error);
  const detail = error instanceof Error ? error.message : String(error);
  const what = `Could not ${action} "${subject.name}" in account ${subject.accountId}`;
  switch (status) {
    case 401:
    case 403:
      return new Error(
        `${what}: Cloudflare refused the API token (${status}). The token needs the account permission ` +
          `"${permission}" (docs/deploy.md, step 1). Cloudflare said: ${detail}`,
      );
    case 409:
      return new Error(
        `${what}: one with that name already exists (409), made outside this stack. ` +
          'Delete it in the dashboard or adopt it with pulumi import, then run pulumi up again.',
      );
    case 429:
      return new Error(
        `${what}: Cloudflare kept rate-limiting the requests (429) after retrying. Wait a minute and run pulumi up again.`,
      );
    default:
      return new Error(`${what}: ${status ? `Cloudflare answered ${status}: ` : ''}${detail}`);
  }
}

/**
 * Runs one API call, turning its failure into {@link explain}'s sentence.
 *
 * @example
 * ```ts
 * const app = await callApi('create the Containers application', spec, 'Containers: Edit', () => client.containers.applications.create(body));
 * ```
 */
export async function callApi<T>(
  action: string,
  subject: ApiSubject,
  permission: string,
  request: () => Promise<T>,
): Promise<T> {
  try {
    return await request();
  } catch (error) {
    throw explain(error, action, subject, permission);
  }
}

/**
 * Whether `value` is, or holds anywhere inside it, an input Pulumi does not know yet. A
 * provider's `check` accepts such a value as it is; its `diff` cannot rule a change out.
 *
 * @example
 * ```ts
 * containsUnknown({ image: UNKNOWN_INPUT }); // true
 * ```
 */
export function containsUnknown(value: unknown): boolean {
  if (value === UNKNOWN_INPUT) return true;
  if (Array.isArray(value)) return value.some(containsUnknown);
  if (value && typeof value === 'object') return Object.values(value).some(containsUnknown);
  return false;
}

/**
 * JSON with object keys sorted at every level: the state Pulumi hands back need not keep the
 * order in which a provider wrote its keys.
 *
 * @example
 * ```ts
 * canonicalJson({ b: 1, a: [{ d: 2, c: 3 }] }); // '{"a":[{"c":3,"d":2}],"b":1}'
 * ```
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) =>
    item && typeof item === 'object' && !Array.isArray(item)
      ? Object.fromEntries(Object.entries(item).sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0)))
      : item,
  );
}

/**
 * The keys whose values differ between `olds` and `news` (compared as {@link canonicalJson}), in `keys` order.
 * A key whose new value is unknown counts as changed: a preview cannot rule it out.
 *
 * @example
 * ```ts
 * changedKeys({ a: 1, b: 2 }, { a: 1, b: 3 }, ['a', 'b']); // ['b']
 * ```
 */
export function changedKeys<T extends object, Key extends keyof T>(olds: T, news: T, keys: readonly Key[]): Key[] {
  return keys.filter(
    (key) => containsUnknown(news[key]) || canonicalJson(olds[key] ?? null) !== canonicalJson(news[key] ?? null),
  );
}
