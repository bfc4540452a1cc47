/**
 * Test support: a loopback fake of the parts of Cloudflare's API a deploy of this project
 * touches, stateful, with the API's envelope (`{ success, errors, messages, result }`),
 * bearer-token authentication and the fields the callers read. It serves two callers:
 *
 * - the real `wrangler deploy` (through `CLOUDFLARE_API_BASE_URL`), to record the sequence
 *   Cloudflare supports (`record-wrangler-deploy.ts`); each answer carries what wrangler 4.164
 *   reads where it would otherwise stop (e.g. a 32-hex `deployment_id`, a version's
 *   `resources.bindings` with the Durable Object namespace id, `external_account_id`);
 * - the program's dynamic providers, through the official SDK's `baseURL`, in the replay test.
 *
 * It enforces what the deploy path depends on: a Worker *version* that carries Durable Object
 * migrations is refused with error 10211 (cloudflare-docs #32982); a script upload whose
 * `old_tag` is not the applied tag is refused; a Containers application's name is unique
 * (`409`). Errors a client must survive can be queued: {@link FakeCloudflareApi.failNext}.
 * Every request is kept (method, path, query, body shape) for the recording and assertions.
 *
 * @example
 * ```ts
 * const api = await startFakeCloudflareApi({ apiToken: 'test-token' });
 * const client = new Cloudflare({ apiToken: 'test-token', baseURL: api.baseURL });
 * await api.close();
 * ```
 */
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request as the fake saw it. Multipart bodies keep their JSON `metadata` and each part's name and type. */
export interface RecordedRequest {
  method: string;
  path: string;
  /** The query string's parameters, sorted by name. */
  query: Record<string, string>;
  body: unknown;
}

/** A multipart body as recorded: the parsed `metadata` part and the other parts without their bytes. */
export interface MultipartBody {
  multipart: { metadata: unknown; parts: { name: string; type: string; filename: string | undefined }[] };
}

/** One uploaded Worker script as the fake keeps it. */
interface FakeScript {
  name: string;
  metadata: Record<string, unknown>;
  migrationTag: string | undefined;
  /** Durable Object namespace id per class, made at the first upload that binds the class. */
  namespaces: Map<string, string>;
  versions: Map<string, { bindings: Record<string, unknown>[] }>;
  subdomain: { enabled: boolean; previews_enabled: boolean };
}

/** One Containers application as the fake stores and returns it. */
interface FakeApplication {
  id: string;
  account_id: string;
  name: string;
  scheduling_policy: string;
  instances: number;
  max_instances: number;
  configuration: { image: string; instance_type?: string };
  constraints?: Record<string, unknown>;
  durable_objects: { namespace_id: string };
  observability?: unknown;
  rollout_active_grace_period?: number;
  created_at: string;
  updated_at: string;
  version: number;
}

export interface FakeCloudflareApi {
  /** Pass as the SDK's `baseURL` or wrangler's `CLOUDFLARE_API_BASE_URL`. */
  baseURL: string;
  /** What `GET /containers/me` answers as `external_account_id`. */
  externalAccountId: string;
  scripts: Map<string, FakeScript>;
  applications: Map<string, FakeApplication>;
  rollouts: { applicationId: string; body: Record<string, unknown> }[];
  requests: RecordedRequest[];
  /** Answers the next `count` requests with `status` (e.g. 429 with `{ 'retry-after': '0' }`). */
  failNext(count: number, status: number, headers?: Record<string, string>): void;
  close(): Promise<void>;
}

/** Starts the fake on 127.0.0.1 (a free port). It accepts only `apiToken`. */
export async function startFakeCloudflareApi(options: {
  apiToken: string;
  externalAccountId?: string;
}): Promise<FakeCloudflareApi> {
  const scripts = new Map<string, FakeScript>();
  const applications = new Map<string, FakeApplication>();
  const rollouts: FakeCloudflareApi['rollouts'] = [];
  const requests: RecordedRequest[] = [];
  const failures: { status: number; headers: Record<string, string> }[] = [];
  const externalAccountId = options.externalAccountId ?? 'fake-external-account';

  const server = createServer((request, response) => {
    void readBody(request).then(
      (body) => {
        const url = new URL(request.url ?? '/', 'http://fake');
        // wrangler and the SDK put the API's version prefix in the base URL; the fake serves it at its root.
        const path = url.pathname.replace(/^\/client\/v4/, '');
        const query = Object.fromEntries(
          [...url.searchParams.entries()].sort(([left], [right]) => (left < right ? -1 : 1)),
        );
        requests.push({ method: request.method ?? 'GET', path, query, body });
        const failure = failures.shift();
        if (failure)
          return send(response, failure.status, envelopeError(failure.status, 'Injected failure'), failure.headers);
        if (request.headers.authorization !== `Bearer ${options.apiToken}`) {
          return send(response, 403, envelopeError(10000, 'Authentication error'));
        }
        return route(request.method ?? 'GET', path, body, response);
      },
      (error: unknown) => send(response, 400, envelopeError(1001, `Request body could not be read: ${String(error)}`)),
    );
  });

  function route(method: string, path: string, body: unknown, response: ServerResponse): void {
    const parts = path.split('/').filter(Boolean);
    if (parts[0] !== 'accounts' || !parts[1]) return notFound(response);
    const account = parts[1];
    const [area, ...rest] = parts.slice(2);
    if (area === 'workers') return routeWorkers(method, rest, body, response);
    if (area === 'containers') return routeContainers(method, account, rest, body, response);
    return notFound(response);
  }

  function routeWorkers(method: string, rest: string[], body: unknown, response: ServerResponse): void {
    const [kind, name, sub, subId] = rest;
    if (kind === 'subdomain' && method === 'GET' && rest.length === 1)
      return ok(response, { subdomain: 'fake-subdomain' });
    if (kind === 'services' && name && method === 'GET' && rest.length === 2) {
      const script = scripts.get(name);
      if (!script) return send(response, 404, envelopeError(10090, 'workers.api.error.service_not_found'));
      return ok(response, {
        id: name,
        default_environment: { environment: 'production', script: { id: name, migration_tag: script.migrationTag } },
      });
    }
    if (kind === 'workers' && name && method === 'GET' && rest.length === 2) {
      if (!scripts.has(name)) return send(response, 404, envelopeError(10007, 'workers.api.error.script_not_found'));
      return ok(response, {
        id: name,
        name,
        observability: { enabled: true },
        subdomain: scripts.get(name)!.subdomain,
      });
    }
    if (kind !== 'scripts') return notFound(response);
    if (!name && method === 'GET') {
      return ok(
        response,
        [...scripts.values()].map((script) => ({ id: script.name, migration_tag: script.migrationTag })),
      );
    }
    if (!name) return notFound(response);
    const script = scripts.get(name);
    if (!sub) {
      if (method === 'PUT') return uploadScript(name, body, response);
      if (method === 'DELETE') {
        if (!script) return send(response, 404, envelopeError(10007, 'workers.api.error.script_not_found'));
        scripts.delete(name);
        return ok(response, null);
      }
      return notFound(response);
    }
    if (sub === 'versions' && method === 'POST' && !subId) {
      // The versions API does not take migrations (error 10211; cloudflare-docs #32982).
      const metadata = (body as Partial<MultipartBody> | undefined)?.multipart?.metadata as
        | { migrations?: unknown }
        | undefined;
      if (metadata?.migrations) {
        return send(
          response,
          400,
          envelopeError(10211, 'Migrations are not supported on version uploads; use the script upload API.'),
        );
      }
      return notFound(response);
    }
    if (!script) return send(response, 404, envelopeError(10007, 'workers.api.error.script_not_found'));
    if (sub === 'versions' && subId && method === 'GET') {
      const version = script.versions.get(subId);
      if (!version) return send(response, 404, envelopeError(10220, 'version not found'));
      return ok(response, {
        id: subId,
        number: script.versions.size,
        resources: { bindings: version.bindings, script: { etag: subId } },
      });
    }
    if (sub === 'secrets' && method === 'GET') return ok(response, []);
    if (sub === 'settings' && method === 'GET') return ok(response, { logpush: false, tags: [], tail_consumers: [] });
    if (sub === 'deployments' && method === 'GET') {
      return ok(response, {
        deployments: [...script.versions.keys()]
          .slice(-1)
          .map((id) => ({ id: randomUUID(), versions: [{ version_id: id, percentage: 100 }] })),
      });
    }
    if (sub === 'subdomain' && method === 'GET') return ok(response, script.subdomain);
    if (sub === 'subdomain' && method === 'POST') {
      const { enabled, previews_enabled } = (body ?? {}) as { enabled?: unknown; previews_enabled?: unknown };
      if (typeof enabled !== 'boolean') return send(response, 400, envelopeError(1002, 'enabled is required'));
      script.subdomain = {
        enabled,
        previews_enabled: typeof previews_enabled === 'boolean' ? previews_enabled : enabled,
      };
      return ok(response, script.subdomain);
    }
    return notFound(response);
  }

  function uploadScript(name: string, body: unknown, response: ServerResponse): void {
    const multipart = (body as Partial<MultipartBody> | undefined)?.multipart;
    const metadata = multipart?.metadata as
      | {
          main_module?: string;
          bindings?: Record<string, unknown>[];
          migrations?: { old_tag?: string; new_tag?: string };
        }
      | undefined;
    if (!metadata?.main_module || !multipart?.parts.some((part) => part.name === metadata.main_module)) {
      return send(response, 400, envelopeError(10021, 'could not read content for part metadata or the main module'));
    }
    const existing = scripts.get(name);
    const applied = existing?.migrationTag;
    if (metadata.migrations && (metadata.migrations.old_tag ?? undefined) !== applied) {
      return send(
        response,
        400,
        envelopeError(
          10079,
          `Migration old_tag ${String(metadata.migrations.old_tag)} does not match the applied tag ${String(applied)}`,
        ),
      );
    }
    const script: FakeScript = existing ?? {
      name,
      metadata: {},
      migrationTag: undefined,
      namespaces: new Map(),
      versions: new Map(),
      subdomain: { enabled: false, previews_enabled: false },
    };
    script.metadata = metadata;
    if (metadata.migrations?.new_tag) script.migrationTag = metadata.migrations.new_tag;
    const bindings = (metadata.bindings ?? []).map((binding) => {
      if (binding.type !== 'durable_object_namespace' || typeof binding.class_name !== 'string') return binding;
      let namespaceId = script.namespaces.get(binding.class_name);
      if (!namespaceId) {
        namespaceId = createHash('sha256').update(`${name}/${binding.class_name}`).digest('hex').slice(0, 32);
        script.namespaces.set(binding.class_name, namespaceId);
      }
      return { ...binding, namespace_id: namespaceId };
    });
    // Versions are UUIDs; the upload answers with the id's 32 hex digits, as the API does.
    const versionId = randomUUID();
    script.versions.set(versionId, { bindings: bindings.map(({ text: _text, ...rest }) => rest) });
    scripts.set(name, script);
    ok(response, {
      id: name,
      etag: versionId,
      // wrangler reads the new version's id from here (parseNonHyphenedUuid: 32 hex, no hyphens).
      deployment_id: versionId.replaceAll('-', ''),
      startup_time_ms: 1,
      migration_tag: script.migrationTag,
      has_modules: true,
    });
  }

  function routeContainers(
    method: string,
    account: string,
    rest: string[],
    body: unknown,
    response: ServerResponse,
  ): void {
    if (rest[0] === 'me' && rest.length === 1 && method === 'GET') {
      return ok(response, {
        external_account_id: externalAccountId,
        legacy_identity: `fake-${account}`,
        limits: {
          account_id: account,
          vcpu_per_deployment: 4,
          memory_mib_per_deployment: 12288,
          disk_mb_per_deployment: 20000,
          total_vcpu: 100,
          total_memory_mib: 400000,
          node_group: 'metal',
          ipv4s: 0,
          network_modes: ['public-by-port'],
        },
        locations: [],
        defaults: { vcpus: 1, memory_mib: 4096, disk_mb: 8000 },
      });
    }
    if (rest[0] === 'registries' && rest[2] === 'credentials' && method === 'POST' && rest.length === 3) {
      const { expiration_minutes, permissions } = (body ?? {}) as {
        expiration_minutes?: number;
        permissions?: string[];
      };
      if (!expiration_minutes || !permissions?.length) {
        return send(
          response,
          400,
          envelopeError(1002, 'expiration_minutes and permissions are required for the managed registry'),
        );
      }
      return ok(response, {
        account_id: account,
        registry_host: rest[1],
        username: 'v1',
        password: `pw-${randomUUID()}`,
      });
    }
    if (rest[0] !== 'applications') return notFound(response);
    const id = rest[1];
    if (!id && method === 'GET') {
      const list = [...applications.values()].filter((app) => app.account_id === account);
      return send(response, 200, {
        success: true,
        errors: [],
        messages: [],
        result: list,
        result_info: { per_page: 100 },
      });
    }
    if (!id && method === 'POST') return createApplication(account, body as Record<string, unknown>, response);
    const application = id ? applications.get(id) : undefined;
    if (!application || application.account_id !== account) {
      return send(response, 404, envelopeError(1404, 'APPLICATION_NOT_FOUND'));
    }
    if (rest.length === 2 && method === 'GET') return ok(response, application);
    if (rest.length === 2 && method === 'DELETE') {
      applications.delete(application.id);
      return ok(response, { message: 'application deleted' });
    }
    if (rest.length === 2 && method === 'PATCH') {
      const patch = (body ?? {}) as Partial<FakeApplication>;
      if (patch.max_instances !== undefined) application.max_instances = patch.max_instances;
      if (patch.constraints) application.constraints = patch.constraints;
      if (patch.observability) application.observability = patch.observability;
      application.updated_at = new Date().toISOString();
      return ok(response, application);
    }
    if (rest[2] === 'rollouts' && rest.length === 3 && method === 'POST') {
      const rollout = (body ?? {}) as Record<string, unknown>;
      const target = rollout.target_configuration as { image?: string; instance_type?: string } | undefined;
      if (!rollout.description || !rollout.strategy || !target) {
        return send(response, 400, envelopeError(1002, 'description, strategy and target_configuration are required'));
      }
      rollouts.push({ applicationId: application.id, body: rollout });
      application.configuration = { ...application.configuration, ...target };
      application.version += 1;
      return ok(response, {
        id: randomUUID(),
        created_at: new Date().toISOString(),
        description: rollout.description,
        status: 'progressing',
      });
    }
    return notFound(response);
  }

  function createApplication(account: string, body: Record<string, unknown>, response: ServerResponse): void {
    const configuration = body.configuration as FakeApplication['configuration'] | undefined;
    const durableObjects = body.durable_objects as { namespace_id?: string } | undefined;
    if (
      typeof body.name !== 'string' ||
      !configuration?.image ||
      typeof body.max_instances !== 'number' ||
      body.scheduling_policy !== 'default' ||
      !durableObjects?.namespace_id
    ) {
      return send(
        response,
        400,
        envelopeError(
          1002,
          'name, configuration.image, max_instances, scheduling_policy and durable_objects.namespace_id are required',
        ),
      );
    }
    if ([...applications.values()].some((app) => app.account_id === account && app.name === body.name)) {
      // Not retryable: the name stays taken. The SDK retries a 409 unless told otherwise.
      return send(response, 409, envelopeError(1409, 'APPLICATION_ALREADY_EXISTS'), { 'x-should-retry': 'false' });
    }
    const now = new Date().toISOString();
    const application: FakeApplication = {
      id: randomUUID(),
      account_id: account,
      name: body.name,
      scheduling_policy: 'default',
      instances: Number(body.instances ?? 0),
      max_instances: body.max_instances,
      configuration,
      constraints: body.constraints as Record<string, unknown> | undefined,
      durable_objects: { namespace_id: durableObjects.namespace_id },
      observability: body.observability,
      rollout_active_grace_period: body.rollout_active_grace_period as number | undefined,
      created_at: now,
      updated_at: now,
      version: 1,
    };
    applications.set(application.id, application);
    ok(response, application);
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseURL: `http://127.0.0.1:${port}`,
    externalAccountId,
    scripts,
    applications,
    rollouts,
    requests,
    failNext: (count, status, headers = {}) => {
      for (let index = 0; index < count; index += 1) failures.push({ status, headers });
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function envelopeError(code: number, message: string) {
  return { success: false, errors: [{ code, message }], messages: [], result: null };
}

function ok(response: ServerResponse, result: unknown): void {
  send(response, 200, { success: true, errors: [], messages: [], result });
}

function notFound(response: ServerResponse): void {
  send(response, 404, envelopeError(7003, 'No route for that URI'));
}

function send(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(JSON.stringify(body));
}

/** Reads a JSON or multipart body; a multipart body becomes a {@link MultipartBody}. */
async function readBody(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const bytes = Buffer.concat(chunks);
  if (bytes.length === 0) return undefined;
  const type = request.headers['content-type'] ?? '';
  if (type.startsWith('multipart/form-data')) {
    const form = await new Response(bytes, { headers: { 'content-type': type } }).formData();
    let metadata: unknown;
    const parts: MultipartBody['multipart']['parts'] = [];
    for (const [name, value] of form.entries()) {
      if (name === 'metadata') {
        metadata = JSON.parse(typeof value === 'string' ? value : await value.text());
        continue;
      }
      parts.push({
        name,
        type: typeof value === 'string' ? 'text/plain' : value.type.split(';')[0]!,
        filename: typeof value === 'string' ? undefined : value.name,
      });
    }
    return { multipart: { metadata, parts } } satisfies MultipartBody;
  }
  const text = bytes.toString('utf8');
  return type.includes('json') || /^[[{]/.test(text) ? JSON.parse(text) : text;
}
