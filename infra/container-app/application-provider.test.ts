/**
 * The Containers application provider against a loopback fake of Cloudflare's Containers
 * API, through the official SDK: create, read, update (patch and rollout), delete, diff,
 * and the API's errors.
 */
import * as pulumi from '@pulumi/pulumi';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { containerApplicationProvider, type ContainerApplicationProvider } from './application-provider.ts';
import { type ApplicationSpec, type ApplicationState, diffSpecs, specProblems } from './application-spec.ts';
import { type FakeContainersApi, startFakeContainersApi } from './fake-containers-api.ts';
import { deployedMigrationTagProvider } from '../migrations/deployed-migration-tag.ts';
import { registryCredentialsProvider, type RegistryCredentialsOutputs } from './registry-credentials.ts';

const TOKEN = 'fake-token-for-tests';
const ACCOUNT = '0123456789abcdef0123456789abcdef';
const DIGEST = (byte: string) => `registry.cloudflare.com/${ACCOUNT}/secure-mcp-dev-bridge@sha256:${byte.repeat(64)}`;
const spec: ApplicationState = {
  accountId: ACCOUNT,
  name: 'secure-mcp-dev-bridge',
  image: DIGEST('a'),
  instanceType: 'basic',
  maxInstances: 10,
  durableObjects: { scriptName: 'secure-mcp-dev-gateway', className: 'McpContainer' },
  durableObjectNamespaceId: 'ns',
  createdAt: '2026-11-26T00:00:00Z',
};

let api: FakeContainersApi;
let provider: ContainerApplicationProvider;

beforeAll(async () => {
  api = await startFakeContainersApi({ apiToken: TOKEN });
});
afterAll(() => api.close());
beforeEach(() => {
  api.applications.clear();
  api.scripts.clear();
  api.requests.length = 0;
  api.rollouts.length = 0;
  provider = containerApplicationProvider({ apiToken: TOKEN, baseURL: api.baseURL, maxRetries: 2 });
});

async function created(): Promise<{ id: string; outs: ApplicationState }> {
  return (await provider.create(spec)) as { id: string; outs: ApplicationState };
}

describe('create', () => {
  it('creates a scheduler-backed application tied to the Worker class, with no instance until a user arrives', async () => {
    const { id, outs } = await created();
    expect(api.requests.at(-1)).toEqual({
      method: 'POST',
      path: `/accounts/${ACCOUNT}/containers/applications`,
      body: {
        name: 'secure-mcp-dev-bridge',
        scheduling_policy: 'default',
        instances: 0,
        max_instances: 10,
        configuration: { image: spec.image, instance_type: 'basic' },
        durable_objects: { script_name: 'secure-mcp-dev-gateway', class_name: 'McpContainer' },
        observability: { logs: { enabled: true } },
      },
    });
    expect(api.applications.get(id)?.name).toBe('secure-mcp-dev-bridge');
    expect(outs).toMatchObject({
      ...spec,
      durableObjectNamespaceId: expect.stringMatching(/^do-namespace-/),
      createdAt: expect.any(String),
    });
  });

  it('names the existing application on 409 instead of retrying or overwriting it', async () => {
    await created();
    await expect(provider.create(spec)).rejects.toThrow(
      /"secure-mcp-dev-bridge" .*already exists \(409\).*pulumi import/,
    );
    expect(api.applications.size).toBe(1);
  });

  it('waits out a 429 with Retry-After and succeeds', async () => {
    api.failNext(2, 429, { 'retry-after': '0' });
    const { id } = await created();
    expect(api.applications.has(id)).toBe(true);
    expect(api.requests.filter((request) => request.method === 'POST')).toHaveLength(3);
  });

  it('gives up on a 429 that does not end, saying what to do', async () => {
    api.failNext(3, 429, { 'retry-after': '0' });
    await expect(provider.create(spec)).rejects.toThrow(/rate-limiting .*429.*run pulumi up again/);
    expect(api.applications.size).toBe(0);
  });

  it('explains a token Cloudflare refuses, naming the permission', async () => {
    const wrongToken = containerApplicationProvider({ apiToken: 'not-the-token', baseURL: api.baseURL, maxRetries: 0 });
    await expect(wrongToken.create(spec)).rejects.toThrow(/refused the API token \(403\).*"Containers: Edit"/);
  });

  it('refuses to start without any token', async () => {
    const saved = process.env.CLOUDFLARE_API_TOKEN;
    delete process.env.CLOUDFLARE_API_TOKEN;
    try {
      await expect(containerApplicationProvider({ baseURL: api.baseURL }).create(spec)).rejects.toThrow(
        /pulumi config set --secret cloudflare:apiToken/,
      );
    } finally {
      if (saved !== undefined) process.env.CLOUDFLARE_API_TOKEN = saved;
    }
  });
});

describe('read', () => {
  it('reports what the API holds, so refresh shows drift', async () => {
    const { id, outs } = await created();
    api.applications.get(id)!.max_instances = 3;
    const read = await provider.read!(id, outs);
    expect(read).toMatchObject({ id, props: { maxInstances: 3 } });
  });

  it('reports an application deleted outside Pulumi as gone', async () => {
    const { id, outs } = await created();
    api.applications.delete(id);
    expect(await provider.read!(id, outs)).toEqual({});
  });
});

describe('update', () => {
  it('patches max_instances in place', async () => {
    const { id, outs } = await created();
    const result = await provider.update!(id, outs, { ...spec, maxInstances: 25 });
    expect(api.requests.find((request) => request.method === 'PATCH')?.body).toEqual({ max_instances: 25 });
    expect(api.rollouts).toEqual([]);
    expect(result.outs).toMatchObject({ maxInstances: 25 });
  });

  it('moves to a new image by a rollout, never by PATCH', async () => {
    const { id, outs } = await created();
    const result = await provider.update!(id, outs, { ...spec, image: DIGEST('b') });
    expect(api.requests.some((request) => request.method === 'PATCH')).toBe(false);
    expect(api.rollouts).toEqual([
      {
        applicationId: id,
        body: expect.objectContaining({
          strategy: 'rolling',
          target_configuration: { image: DIGEST('b'), instance_type: 'basic' },
        }),
      },
    ]);
    expect(result.outs).toMatchObject({ image: DIGEST('b'), instanceType: 'basic' });
    expect(api.applications.get(id)?.configuration.image).toBe(DIGEST('b'));
  });

  it('moves to a new instance type by a rollout too', async () => {
    const { id, outs } = await created();
    await provider.update!(id, outs, { ...spec, instanceType: 'standard-1' });
    expect(api.rollouts.map((rollout) => rollout.body.target_configuration)).toEqual([
      { image: DIGEST('a'), instance_type: 'standard-1' },
    ]);
  });
});

describe('delete', () => {
  it('deletes the application, and counts an already deleted one as done', async () => {
    const { id, outs } = await created();
    await provider.delete!(id, outs);
    expect(api.applications.size).toBe(0);
    await expect(provider.delete!(id, outs)).resolves.toBeUndefined();
  });
});

describe('diff and check', () => {
  it('replaces (deleting first) on a new name or Durable Object class, updates otherwise', async () => {
    expect(await provider.diff!('id', spec, { ...spec, name: 'secure-mcp-dev-bridge2' })).toEqual({
      changes: true,
      replaces: ['name'],
      deleteBeforeReplace: true,
    });
    expect(
      await provider.diff!('id', spec, { ...spec, durableObjects: { ...spec.durableObjects, className: 'Other' } }),
    ).toMatchObject({
      replaces: ['durableObjects'],
    });
    expect(await provider.diff!('id', spec, { ...spec, image: DIGEST('c') })).toEqual({
      changes: true,
      replaces: [],
      deleteBeforeReplace: false,
    });
    expect(await provider.diff!('id', spec, { ...spec })).toMatchObject({ changes: false });
  });

  it('says how each change is applied', () => {
    expect(diffSpecs(spec, { ...spec, maxInstances: 2 })).toEqual({
      changes: ['maxInstances'],
      replaces: [],
      patch: true,
      rollout: false,
    });
    expect(diffSpecs(spec, { ...spec, instanceType: 'lite' })).toMatchObject({ patch: false, rollout: true });
    expect(diffSpecs(spec, { ...spec, name: 'x', image: DIGEST('d') })).toMatchObject({
      replaces: ['name'],
      patch: false,
      rollout: false,
    });
  });

  it('refuses an image that is not pinned by digest, and other bad input, before calling the API', async () => {
    expect(specProblems(spec)).toEqual([]);
    const { failures } = await provider.check!({} as ApplicationSpec, {
      ...spec,
      image: 'registry.cloudflare.com/acc/bridge:latest',
    });
    expect(failures).toEqual([{ property: 'image', reason: expect.stringMatching(/not pinned by digest/) }]);
    expect(specProblems({ ...spec, instanceType: 'huge' as never, maxInstances: 0 })).toHaveLength(2);
    expect(api.requests).toEqual([]);
  });
});

/** A CommonJS module body as a function, the way Node (and Pulumi's provider host) runs it. */
type CommonJsModule = (module: { exports: object }, exports: object, require: NodeJS.Require) => void;

describe('serialization', () => {
  it('survives the trip Pulumi makes it take into state and back, and still talks to the API', async () => {
    // What pulumi.dynamic.Resource stores: the provider serialized as a module with a handler.
    const serialized = await pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true });
    // The SDK is loaded at run time, not copied into every stack's state.
    expect(serialized.text.length).toBeLessThan(64 * 1024);
    const module = { exports: {} as { handler?: () => ContainerApplicationProvider } };
    // oxlint-disable-next-line typescript/no-implied-eval -- evaluating the serialized text is what Pulumi's host does
    const load = new Function('module', 'exports', 'require', serialized.text) as CommonJsModule;
    load(module, module.exports, (await import('node:module')).createRequire(import.meta.url));
    const revived = module.exports.handler!();
    const { id } = (await revived.create(spec)) as { id: string };
    expect(api.applications.has(id)).toBe(true);
  });
});

describe('registry credentials', () => {
  it('asks for short-lived push credentials on every run', async () => {
    const credentials = registryCredentialsProvider({ apiToken: TOKEN, baseURL: api.baseURL });
    const { outs } = (await credentials.create({ accountId: ACCOUNT })) as { outs: RegistryCredentialsOutputs };
    expect(api.requests.at(-1)).toEqual({
      method: 'POST',
      path: `/accounts/${ACCOUNT}/containers/registries/registry.cloudflare.com/credentials`,
      body: { expiration_minutes: 30, permissions: ['push', 'pull'] },
    });
    expect(outs).toMatchObject({
      server: 'registry.cloudflare.com',
      username: 'v1',
      password: expect.stringMatching(/^pw-/),
    });
    expect(await credentials.diff!('id', outs, { accountId: ACCOUNT })).toEqual({ changes: true });
    const { outs: fresh } = await credentials.update!('id', outs, { accountId: ACCOUNT });
    expect(fresh?.password).not.toBe(outs.password);
  });

  it('explains a refused token', async () => {
    const credentials = registryCredentialsProvider({ apiToken: 'wrong', baseURL: api.baseURL, maxRetries: 0 });
    await expect(credentials.create({ accountId: ACCOUNT })).rejects.toThrow(
      /image registry.*refused the API token \(403\)/,
    );
  });
});

describe('deployed migration tag', () => {
  it('reads the tag Cloudflare last applied to the Worker, on every run, and "" before the first', async () => {
    const lookup = deployedMigrationTagProvider({ apiToken: TOKEN, baseURL: api.baseURL });
    const inputs = { accountId: ACCOUNT, scriptName: 'secure-mcp-dev-gateway' };
    expect((await lookup.create(inputs)).outs).toEqual({ ...inputs, tag: '' });
    api.scripts.set('secure-mcp-dev-gateway', { id: 'secure-mcp-dev-gateway', migration_tag: 'v1' });
    api.scripts.set('another-worker', { id: 'another-worker', migration_tag: 'v9' });
    expect(await lookup.diff!('id', { ...inputs, tag: '' }, inputs)).toEqual({ changes: true });
    expect((await lookup.update!('id', { ...inputs, tag: '' }, inputs)).outs).toEqual({ ...inputs, tag: 'v1' });
    expect(api.requests.at(-1)).toMatchObject({ method: 'GET', path: `/accounts/${ACCOUNT}/workers/scripts` });
  });

  it('names the permission when the token is refused', async () => {
    const lookup = deployedMigrationTagProvider({ apiToken: 'wrong', baseURL: api.baseURL, maxRetries: 0 });
    await expect(lookup.create({ accountId: ACCOUNT, scriptName: 'x' })).rejects.toThrow(/"Workers Scripts: Edit"/);
  });
});

describe('under the loader Pulumi runs the program with', () => {
  it('all three dynamic providers survive serialization into the state and work when revived', async () => {
    const { execFile } = await import('node:child_process');
    const { promisify } = await import('node:util');
    const script = new URL('./roundtrip-under-tsx.ts', import.meta.url).pathname;
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', script, api.baseURL, TOKEN], {
      timeout: 60_000,
    });
    const result = JSON.parse(stdout.trim().split('\n').at(-1)!) as {
      applicationId: string;
      registryUser: string;
      migrationTag: string;
    };
    expect(api.applications.has(result.applicationId)).toBe(true);
    expect(result).toMatchObject({ registryUser: 'v1', migrationTag: '' });
  });
});
