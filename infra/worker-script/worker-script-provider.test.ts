/**
 * The Worker upload provider against the loopback fake of Cloudflare's API, through the SDK:
 * the script upload API with migrations and containers (never a version), only the pending
 * migrations on later uploads, no change when nothing changed, and the preview's unknowns.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type FakeCloudflareApi,
  type MultipartBody,
  startFakeCloudflareApi,
} from '../deploy-contract/fake-cloudflare-api.ts';
import { UNKNOWN_INPUT } from '../dynamic-provider/cloudflare-dynamic-provider.ts';
import { serializeAndRevive } from '../dynamic-provider/revive-provider.ts';
import type { WorkerScriptSpec, WorkerScriptState } from './script-upload.ts';
import { workerScriptProvider, type WorkerScriptProvider } from './worker-script-provider.ts';

const TOKEN = 'fake-token-for-tests';
const ACCOUNT = '0123456789abcdef0123456789abcdef';
const CODE = 'export default { fetch() { return new Response("ok"); } };\nexport class McpContainer {}\n';

let api: FakeCloudflareApi;
let provider: WorkerScriptProvider;
let folder: string;
let spec: WorkerScriptSpec;

beforeAll(async () => {
  api = await startFakeCloudflareApi({ apiToken: TOKEN });
  folder = await mkdtemp(join(tmpdir(), 'worker-script-'));
  await writeFile(join(folder, 'index.js'), CODE);
});
afterAll(async () => {
  await api.close();
  await rm(folder, { recursive: true, force: true });
});
beforeEach(() => {
  api.scripts.clear();
  api.requests.length = 0;
  provider = workerScriptProvider({ apiToken: TOKEN, baseURL: api.baseURL, maxRetries: 0 });
  spec = {
    accountId: ACCOUNT,
    scriptName: 'secure-mcp-dev-gateway',
    mainModule: 'index.js',
    bundlePath: join(folder, 'index.js'),
    bundleSha256: createHash('sha256').update(CODE).digest('hex'),
    compatibilityDate: '2026-11-01',
    compatibilityFlags: ['nodejs_compat'],
    bindings: [
      { type: 'kv_namespace', name: 'OAUTH_KV', namespace_id: 'kv-id' },
      { type: 'plain_text', name: 'PUBLIC_URL', text: 'https://mcp.example.com' },
      { type: 'durable_object_namespace', name: 'MCP_CONTAINER', class_name: 'McpContainer' },
    ],
    secretBindings: [{ name: 'COOKIE_SIGNING_KEY', text: 'cookie-key-of-at-least-32-characters' }],
    migrations: [{ tag: 'v1', newSqliteClasses: ['McpContainer'] }],
    containers: [{ name: 'secure-mcp-dev-bridge', className: 'McpContainer' }],
    observability: true,
  };
});

const uploads = () => api.requests.filter((request) => request.method === 'PUT');

describe('create', () => {
  it('uploads through the script upload API with migrations, the container class and every binding', async () => {
    const { id, outs } = (await provider.create(spec)) as { id: string; outs: WorkerScriptState };
    expect(api.requests.map(({ method, path }) => `${method} ${path}`)).toEqual([
      `GET /accounts/${ACCOUNT}/workers/services/secure-mcp-dev-gateway`,
      `PUT /accounts/${ACCOUNT}/workers/scripts/secure-mcp-dev-gateway`,
    ]);
    const [upload] = uploads();
    expect(upload!.query).toEqual({ bindings_inherit: 'strict', excludeScript: 'true' });
    const { metadata, parts } = (upload!.body as MultipartBody).multipart;
    expect(parts).toEqual([{ name: 'index.js', type: 'application/javascript+module', filename: 'index.js' }]);
    expect(metadata).toEqual({
      main_module: 'index.js',
      bindings: [
        ...spec.bindings,
        { type: 'secret_text', name: 'COOKIE_SIGNING_KEY', text: spec.secretBindings[0]!.text },
      ],
      containers: [{ name: 'secure-mcp-dev-bridge', class_name: 'McpContainer' }],
      compatibility_date: '2026-11-01',
      compatibility_flags: ['nodejs_compat'],
      migrations: { new_tag: 'v1', steps: [{ new_sqlite_classes: ['McpContainer'] }] },
      code_update_strategy: { mode: 'deferred', max_delay: 300 },
      observability: { enabled: true },
    });
    expect(id).toBe('secure-mcp-dev-gateway');
    expect(outs).toMatchObject({
      ...spec,
      versionId: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/),
      migrationTag: 'v1',
    });
    expect(api.requests.some((request) => request.path.endsWith('/versions'))).toBe(false);
  });

  it('sends only the migrations not yet applied on a later upload, naming the applied tag', async () => {
    await provider.create(spec);
    const later = { ...spec, migrations: [...spec.migrations, { tag: 'v2', newSqliteClasses: ['AuditLog'] }] };
    api.requests.length = 0;
    const { outs } = await provider.update!('secure-mcp-dev-gateway', spec as WorkerScriptState, later);
    expect((uploads()[0]!.body as MultipartBody).multipart.metadata).toMatchObject({
      migrations: { old_tag: 'v1', new_tag: 'v2', steps: [{ new_sqlite_classes: ['AuditLog'] }] },
    });
    expect(outs).toMatchObject({ migrationTag: 'v2' });
    api.requests.length = 0;
    await provider.update!('secure-mcp-dev-gateway', later as WorkerScriptState, { ...later, compatibilityFlags: [] });
    expect((uploads()[0]!.body as MultipartBody).multipart.metadata).not.toHaveProperty('migrations');
  });

  it('refuses a bundle that changed since the plan, before any request', async () => {
    await expect(provider.create({ ...spec, bundleSha256: 'f'.repeat(64) })).rejects.toThrow(/changed during the run/);
    expect(api.requests).toEqual([]);
  });

  it('names the permission when the token is refused', async () => {
    const wrong = workerScriptProvider({ apiToken: 'wrong', baseURL: api.baseURL, maxRetries: 0 });
    await expect(wrong.create(spec)).rejects.toThrow(/refused the API token \(403\).*"Workers Scripts: Edit"/);
  });
});

describe('the fake holds the line Cloudflare draws', () => {
  it('refuses a Worker version that carries migrations (10211), as Cloudflare does', async () => {
    const form = new FormData();
    form.set('metadata', JSON.stringify({ main_module: 'index.js', migrations: { new_tag: 'v1', steps: [] } }));
    form.set('index.js', new File([CODE], 'index.js', { type: 'application/javascript+module' }));
    const answer = await fetch(`${api.baseURL}/accounts/${ACCOUNT}/workers/scripts/x/versions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}` },
      body: form,
    });
    expect(answer.status).toBe(400);
    expect(((await answer.json()) as { errors: { code: number }[] }).errors[0]!.code).toBe(10211);
  });
});

describe('diff and check', () => {
  it('reports no change when nothing changed, whatever the checkout path, and a change for new code', async () => {
    const { outs } = (await provider.create(spec)) as { outs: WorkerScriptState };
    expect(await provider.diff!('id', outs, { ...spec, bundlePath: '/elsewhere/index.js' })).toMatchObject({
      changes: false,
    });
    expect(await provider.diff!('id', outs, { ...spec, bundleSha256: 'e'.repeat(64) })).toMatchObject({
      changes: true,
      replaces: [],
    });
    expect(await provider.diff!('id', outs, { ...spec, scriptName: 'other' })).toMatchObject({
      replaces: ['scriptName'],
    });
  });

  it('accepts what a preview does not know yet, and counts it as a change', async () => {
    const preview = {
      ...spec,
      bindings: UNKNOWN_INPUT as never,
      secretBindings: UNKNOWN_INPUT as never,
    };
    expect(await provider.check!({} as WorkerScriptSpec, preview)).toEqual({ inputs: preview, failures: [] });
    expect(await provider.diff!('id', spec as WorkerScriptState, preview)).toMatchObject({ changes: true });
  });

  it('refuses a container class without its binding or migration', async () => {
    const { failures } = await provider.check!({} as WorkerScriptSpec, {
      ...spec,
      bindings: spec.bindings.slice(0, 2),
    });
    expect(failures).toEqual([{ property: 'containers', reason: expect.stringMatching(/McpContainer needs/) }]);
  });

  it('refuses a Durable Object binding whose class no migration creates', async () => {
    const unmigrated = {
      ...spec,
      containers: [],
      bindings: [
        ...spec.bindings,
        { type: 'durable_object_namespace' as const, name: 'TOOL_RATE_LIMITER', class_name: 'ToolRateLimiter' },
      ],
    };
    expect((await provider.check!({} as WorkerScriptSpec, unmigrated)).failures).toEqual([
      {
        property: 'bindings',
        reason:
          'bindings: TOOL_RATE_LIMITER binds the Durable Object class ToolRateLimiter, which no migration creates',
      },
    ]);
    const migrated = {
      ...unmigrated,
      migrations: [...spec.migrations, { tag: 'v2', newSqliteClasses: ['ToolRateLimiter'] }],
    };
    expect((await provider.check!({} as WorkerScriptSpec, migrated)).failures).toEqual([]);
  });
});

describe('delete and read', () => {
  it('deletes the script, and counts a deleted one as gone', async () => {
    const { outs } = (await provider.create(spec)) as { outs: WorkerScriptState };
    await provider.delete!('secure-mcp-dev-gateway', outs);
    expect(api.scripts.size).toBe(0);
    await expect(provider.delete!('secure-mcp-dev-gateway', outs)).resolves.toBeUndefined();
    expect(await provider.read!('secure-mcp-dev-gateway', outs)).toEqual({});
  });
});

describe('serialization', () => {
  it('survives the trip Pulumi makes it take into state and back, and still talks to the API', async () => {
    const { revived, text } = await serializeAndRevive(provider);
    // The SDK is loaded at run time, not copied into every stack's state.
    expect(text.length).toBeLessThan(64 * 1024);
    await revived.create(spec);
    expect(api.scripts.has('secure-mcp-dev-gateway')).toBe(true);
  });
});
