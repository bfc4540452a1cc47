/**
 * How the program's requests must relate to the recorded `wrangler deploy`
 * (`wrangler-deploy.recording.json`): the same requests, in the same order, with the same
 * method, path, query and body, except for the differences listed here, each with its reason.
 * Anything not listed is a difference the replay test reports. docs/deploy.md explains each
 * choice for a reader.
 */
import type { RecordedRequest } from './fake-cloudflare-api.ts';

/** A recorded request, by method and path (`{account}` and `{script}` stand for the recorded names). */
interface RequestPattern {
  method: string;
  path: string;
  why: string;
}

/** Reads wrangler makes for its own console output or checks, which the program has no use for. */
const WRANGLER_ONLY_READS: readonly RequestPattern[] = [
  {
    method: 'GET',
    path: '/accounts/{account}/workers/scripts/{script}/secrets',
    why: 'wrangler lists the secrets to keep them (keep_bindings); the program declares every secret itself',
  },
  {
    method: 'GET',
    path: '/accounts/{account}/workers/subdomain',
    why: "wrangler reads the account's workers.dev subdomain to print the URL; the program has it in stack config",
  },
  {
    method: 'GET',
    path: '/accounts/{account}/workers/scripts/{script}/deployments',
    why: 'wrangler checks for a gradual deployment it would overwrite; the program owns the only deployment',
  },
  {
    method: 'GET',
    path: '/accounts/{account}/workers/scripts/{script}/settings',
    why: 'wrangler merges the script tags and logpush it finds; the program sets neither',
  },
  {
    method: 'GET',
    path: '/accounts/{account}/workers/workers/{script}',
    why: 'wrangler reads the Worker before it routes it; WorkersScriptSubdomain posts the route directly',
  },
];

/**
 * wrangler reads the service twice per deploy (its config diff, then the migrations); the
 * program reads it once, for the migrations. The first of two consecutive reads is dropped.
 */
const REPEATED_READ = '/accounts/{account}/workers/services/{script}';

/** Requests of a later deploy the program leaves out when what they carry did not change. */
const UNCHANGED_ON_LATER_DEPLOY: readonly RequestPattern[] = [
  {
    method: 'GET',
    path: '/accounts/{account}/containers/me',
    why: 'the registry namespace and push credentials are asked for only when the image is built anew (RegistryCredentials)',
  },
  {
    method: 'POST',
    path: '/accounts/{account}/containers/registries/<registry>/credentials',
    why: 'as above: no new image, no push, no credentials',
  },
  {
    method: 'GET',
    path: '/accounts/{account}/workers/scripts/{script}/versions/<version-2>',
    why: "the application's namespace id is in its state; it is looked up when the application is created",
  },
  {
    method: 'GET',
    path: '/accounts/{account}/containers/applications',
    why: "the application's id is in its state; the list is read when the application is created",
  },
  {
    method: 'POST',
    path: '/accounts/{account}/workers/scripts/{script}/subdomain',
    why: 'the route did not change, so WorkersScriptSubdomain has no diff and sends nothing',
  },
];

/** Body fields that differ on purpose, by request and field path. */
const BODY_DIFFERENCES: readonly { method: string; path: string; field: string; why: string }[] = [
  {
    method: 'PUT',
    path: '/accounts/{account}/workers/scripts/{script}',
    field: 'multipart.metadata.keep_bindings',
    why: 'wrangler keeps secrets set with `wrangler secret put`; the program uploads every secret_text binding itself, so a removed secret goes',
  },
  {
    method: 'POST',
    path: '/accounts/{account}/containers/registries/<registry>/credentials',
    field: 'expiration_minutes',
    why: 'wrangler asks for 15 minutes and pushes at once; the program asks for 30, as @pulumi/docker builds before it pushes',
  },
  {
    method: 'POST',
    path: '/accounts/{account}/workers/scripts/{script}/subdomain',
    field: 'previews_enabled',
    why: 'WorkersScriptSubdomain sends previews_enabled (false: no preview URLs); wrangler leaves it as it is',
  },
];

/**
 * Bindings the program may add to the upload's metadata beyond the recorded Worker's: its
 * secrets (wrangler sets those apart, with `wrangler secret put`), and plain-text settings the
 * recorded Worker was deployed without (the API takes any number; each is its own setting, not
 * part of the sequence). Every recorded binding must still be there, as recorded.
 */
const PROGRAM_ONLY_BINDING_TYPES: readonly string[] = ['secret_text'];
const EXTRA_SETTING_TYPE = 'plain_text';

/**
 * The requests a deploy is expected to make, from the recording, less what the contract
 * leaves out (`later`: a deploy after the first).
 *
 * @example
 * ```ts
 * expectedRequests(recording.deploys[0].requests, names, false);
 * ```
 */
export function expectedRequests(
  recorded: readonly RecordedRequest[],
  names: { account: string; script: string },
  later: boolean,
): RecordedRequest[] {
  const template = (path: string) =>
    path.replaceAll(`/accounts/${names.account}`, '/accounts/{account}').replaceAll(`/${names.script}`, '/{script}');
  const matches = (request: RecordedRequest, pattern: RequestPattern) =>
    request.method === pattern.method && template(request.path) === pattern.path;
  return recorded.filter((request, index) => {
    if (WRANGLER_ONLY_READS.some((pattern) => matches(request, pattern))) return false;
    if (later && UNCHANGED_ON_LATER_DEPLOY.some((pattern) => matches(request, pattern))) return false;
    const next = recorded
      .slice(index + 1)
      .find((candidate) => !WRANGLER_ONLY_READS.some((pattern) => matches(candidate, pattern)));
    if (request.method === 'GET' && template(request.path) === REPEATED_READ && next && next.path === request.path)
      return false;
    return true;
  });
}

/**
 * The differences between what a deploy should send and what the program sent, one line
 * each; empty when they agree.
 *
 * @example
 * ```ts
 * differences(expectedRequests(recorded, names, false), programRequests, names); // []
 * ```
 */
export function differences(
  expected: readonly RecordedRequest[],
  actual: readonly RecordedRequest[],
  names: { account: string; script: string },
): string[] {
  const found: string[] = [];
  const length = Math.max(expected.length, actual.length);
  for (let index = 0; index < length; index += 1) {
    const want = expected[index];
    const got = actual[index];
    const where = `request ${index + 1}`;
    if (!want || !got) {
      found.push(
        `${where}: ${want ? `expected ${want.method} ${want.path}, the program sent nothing` : `unexpected ${got!.method} ${got!.path}`}`,
      );
      continue;
    }
    if (want.method !== got.method || want.path !== got.path) {
      found.push(`${where}: expected ${want.method} ${want.path}, got ${got.method} ${got.path}`);
      continue;
    }
    if (JSON.stringify(want.query) !== JSON.stringify(got.query)) {
      found.push(
        `${where} ${want.method} ${want.path}: query ${JSON.stringify(want.query)} ≠ ${JSON.stringify(got.query)}`,
      );
    }
    const template = want.path
      .replaceAll(`/accounts/${names.account}`, '/accounts/{account}')
      .replaceAll(`/${names.script}`, '/{script}');
    const ignored = BODY_DIFFERENCES.filter(
      (difference) => difference.method === want.method && difference.path === template,
    ).map((difference) => difference.field);
    const recordedNames = new Set(
      (
        (want.body as { multipart?: { metadata?: { bindings?: { name: string }[] } } } | undefined)?.multipart?.metadata
          ?.bindings ?? []
      ).map((binding) => binding.name),
    );
    for (const difference of compareBodies(
      comparable(want.body, ignored),
      comparable(got.body, ignored, recordedNames),
    )) {
      found.push(`${where} ${want.method} ${want.path}: ${difference}`);
    }
  }
  return found;
}

/**
 * A body with the ignored fields removed, and the upload's bindings sorted by name, less the
 * program's secrets and (given `recordedNames`) its plain-text settings the recording lacks.
 */
function comparable(body: unknown, ignored: readonly string[], recordedNames?: ReadonlySet<string>): unknown {
  const copy = structuredClone(body) as Record<string, unknown> | undefined;
  if (!copy || typeof copy !== 'object') return copy;
  for (const field of ignored) {
    const keys = field.split('.');
    let parent: Record<string, unknown> | undefined = copy;
    for (const key of keys.slice(0, -1)) parent = parent?.[key] as Record<string, unknown> | undefined;
    if (parent) delete parent[keys.at(-1)!];
  }
  const metadata = (copy.multipart as { metadata?: { bindings?: { type: string; name: string }[] } } | undefined)
    ?.metadata;
  if (metadata?.bindings) {
    metadata.bindings = metadata.bindings
      .filter((binding) => !PROGRAM_ONLY_BINDING_TYPES.includes(binding.type))
      .filter((binding) => binding.type !== EXTRA_SETTING_TYPE || !recordedNames || recordedNames.has(binding.name))
      .sort((left, right) => left.name.localeCompare(right.name));
  }
  return copy;
}

/** Field-by-field differences of two JSON values, as `path: want ≠ got`. */
function compareBodies(want: unknown, got: unknown, path = 'body'): string[] {
  if (Array.isArray(want) && Array.isArray(got) && want.length === got.length) {
    return want.flatMap((item, index) => compareBodies(item, got[index], `${path}[${index}]`));
  }
  if (
    want &&
    got &&
    typeof want === 'object' &&
    typeof got === 'object' &&
    !Array.isArray(want) &&
    !Array.isArray(got)
  ) {
    const keys = [...new Set([...Object.keys(want), ...Object.keys(got)])].sort();
    return keys.flatMap((key) =>
      compareBodies((want as Record<string, unknown>)[key], (got as Record<string, unknown>)[key], `${path}.${key}`),
    );
  }
  return JSON.stringify(want) === JSON.stringify(got)
    ? []
    : [`${path}: ${JSON.stringify(want)} ≠ ${JSON.stringify(got)}`];
}
