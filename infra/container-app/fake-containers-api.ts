/**
 * Test support: a loopback fake of the parts of Cloudflare's Containers API the infra program
 * uses, with the API's request and response shapes (Cloudflare's v4 envelope
 * `{ success, errors, messages, result }`, bearer-token authentication, page-token lists):
 *
 * - `GET|POST /accounts/:account/containers/applications` (list with `name` filter, create)
 * - `GET|PATCH|DELETE /accounts/:account/containers/applications/:id`
 * - `POST /accounts/:account/containers/applications/:id/rollouts`
 * - `POST /accounts/:account/containers/registries/:domain/credentials`
 * - `GET /accounts/:account/workers/scripts` (each script's `migration_tag`, for the migrations)
 *
 * and the errors a client must survive: `403` for a token it does not know, `404` for an
 * unknown application, `409` for a name already taken, `429` with `Retry-After` (queued with
 * {@link FakeContainersApi.failNext}). The official `cloudflare` SDK talks to it through its
 * `baseURL` option.
 *
 * @example
 * ```ts
 * const api = await startFakeContainersApi({ apiToken: 'test-token' });
 * const client = new Cloudflare({ apiToken: 'test-token', baseURL: api.baseURL });
 * await api.close();
 * ```
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One application as the fake stores and returns it. */
interface FakeApplication {
  id: string;
  account_id: string;
  name: string;
  scheduling_policy: string;
  instances: number;
  max_instances: number;
  configuration: { image: string; instance_type?: string; observability?: unknown };
  durable_objects: { namespace_id: string };
  created_at: string;
  updated_at: string;
  version: number;
}

/** A request the fake received (method, path and parsed JSON body), for assertions. */
interface FakeRequest {
  method: string;
  path: string;
  body: unknown;
}

export interface FakeContainersApi {
  /** Pass as the SDK's `baseURL`. */
  baseURL: string;
  /** Worker scripts of the account, for `GET /accounts/:account/workers/scripts` (id and migration tag). */
  scripts: Map<string, { id: string; migration_tag?: string }>;
  applications: Map<string, FakeApplication>;
  rollouts: { applicationId: string; body: Record<string, unknown> }[];
  requests: FakeRequest[];
  /** Answers the next `count` requests with `status` (e.g. 429 with `{ 'retry-after': '0' }`). */
  failNext(count: number, status: number, headers?: Record<string, string>): void;
  close(): Promise<void>;
}

const NAMESPACE_ID_FOR = (script: string, className: string) =>
  `do-namespace-${Buffer.from(`${script}/${className}`).toString('hex').slice(0, 24)}`;

/** Starts the fake on 127.0.0.1 (a free port). It accepts only `apiToken`. */
export async function startFakeContainersApi(options: { apiToken: string }): Promise<FakeContainersApi> {
  const applications = new Map<string, FakeApplication>();
  const scripts: FakeContainersApi['scripts'] = new Map();
  const rollouts: FakeContainersApi['rollouts'] = [];
  const requests: FakeRequest[] = [];
  const failures: { status: number; headers: Record<string, string> }[] = [];

  const server = createServer((request, response) => {
    void readJson(request).then(
      (body) => {
        const url = new URL(request.url ?? '/', 'http://fake');
        requests.push({ method: request.method ?? 'GET', path: url.pathname, body });
        const failure = failures.shift();
        if (failure)
          return send(response, failure.status, envelopeError(failure.status, 'Injected failure'), failure.headers);
        if (request.headers.authorization !== `Bearer ${options.apiToken}`) {
          return send(response, 403, envelopeError(10000, 'Authentication error'));
        }
        return route(request.method ?? 'GET', url, body, response);
      },
      () => send(response, 400, envelopeError(1001, 'Request body is not valid JSON')),
    );
  });

  function route(method: string, url: URL, body: unknown, response: ServerResponse): void {
    const parts = url.pathname.split('/').filter(Boolean);
    if (
      parts[0] === 'accounts' &&
      parts[2] === 'workers' &&
      parts[3] === 'scripts' &&
      parts.length === 4 &&
      method === 'GET'
    ) {
      return send(response, 200, { success: true, errors: [], messages: [], result: [...scripts.values()] });
    }
    // accounts/:account/containers/...
    if (parts[0] !== 'accounts' || parts[2] !== 'containers' || !parts[1]) return notFound(response);
    const account = parts[1];
    const rest = parts.slice(3);

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
      const name = url.searchParams.get('name');
      const list = [...applications.values()].filter(
        (app) => app.account_id === account && (!name || app.name === name),
      );
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
      const patch = (body ?? {}) as { max_instances?: unknown; configuration?: unknown };
      if (
        'configuration' in patch &&
        patch.configuration &&
        typeof patch.configuration === 'object' &&
        'image' in patch.configuration
      ) {
        return send(
          response,
          400,
          envelopeError(1003, 'the image of a scheduler-backed application changes by a rollout'),
        );
      }
      if (patch.max_instances !== undefined) application.max_instances = Number(patch.max_instances);
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
    const durableObjects = body.durable_objects as
      | { script_name?: string; class_name?: string; namespace_id?: string }
      | undefined;
    if (
      typeof body.name !== 'string' ||
      !configuration?.image ||
      typeof body.max_instances !== 'number' ||
      body.scheduling_policy !== 'default'
    ) {
      return send(
        response,
        400,
        envelopeError(1002, 'name, configuration.image, instances, max_instances and scheduling_policy are required'),
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
      durable_objects: {
        namespace_id:
          durableObjects?.namespace_id ??
          NAMESPACE_ID_FOR(durableObjects?.script_name ?? '', durableObjects?.class_name ?? ''),
      },
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
    applications,
    scripts,
    rollouts,
    requests,
    failNext: (count, status, headers = {}) => {
      for (let index = 0; index < count; index += 1) failures.push({ status, headers });
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
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

async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? JSON.parse(text) : undefined;
}
