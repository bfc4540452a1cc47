/**
 * The Containers application provider against the loopback fake of Cloudflare's API, through
 * the official SDK: wrangler's create (namespace from the Worker version, the list, then
 * `POST`), update by `PATCH` and rollout, read, delete, diff, the preview's unknowns, and the
 * API's errors.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type FakeCloudflareApi, startFakeCloudflareApi } from '../deploy-contract/fake-cloudflare-api.ts';
import { inputChange, UNKNOWN_INPUT } from '../dynamic-provider/cloudflare-dynamic-provider.ts';
import { serializeAndRevive } from '../dynamic-provider/revive-provider.ts';
import { containerApplicationProvider, type ContainerApplicationProvider } from './application-provider.ts';
import { APPLICATION_INPUTS, type ApplicationSpec, type ApplicationState, specProblems } from './application-spec.ts';

const TOKEN = 'fake-token-for-tests';
const ACCOUNT = '0123456789abcdef0123456789abcdef';
const SCRIPT = 'secure-mcp-dev-gateway';
const DIGEST = (byte: string) =>
  `registry.cloudflare.com/fake-external-account/secure-mcp-dev-bridge@sha256:${byte.repeat(64)}`;

let api: FakeCloudflareApi;
let provider: ContainerApplicationProvider;
let spec: ApplicationSpec;

/** Uploads a Worker with the container class to the fake, as the Worker provider would, and returns its version. */
async function uploadWorker(): Promise<string> {
  const form = new FormData();
  form.set(
    'metadata',
    JSON.stringify({
      main_module: 'index.js',
      bindings: [{ type: 'durable_object_namespace', name: 'MCP_CONTAINER', class_name: 'McpContainer' }],
      migrations: { new_tag: 'v1', steps: [{ new_sqlite_classes: ['McpContainer'] }] },
    }),
  );
  form.set('index.js', new File(['export default {}'], 'index.js', { type: 'application/javascript+module' }));
  const answer = await fetch(`${api.baseURL}/accounts/${ACCOUNT}/workers/scripts/${SCRIPT}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${TOKEN}` },
    body: form,
  });
  // The answer names the version without hyphens; its id has them (as the Worker provider reads it).
  const hex = ((await answer.json()) as { result: { deployment_id: string } }).result.deployment_id;
  return hex.replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5');
}

beforeAll(async () => {
  api = await startFakeCloudflareApi({ apiToken: TOKEN });
});
afterAll(() => api.close());
beforeEach(async () => {
  api.applications.clear();
  api.scripts.clear();
  api.rollouts.length = 0;
  provider = containerApplicationProvider({ apiToken: TOKEN, baseURL: api.baseURL, maxRetries: 2 });
  spec = {
    accountId: ACCOUNT,
    name: 'secure-mcp-dev-bridge',
    image: DIGEST('a'),
    instanceType: 'basic',
    maxInstances: 10,
    durableObjects: { scriptName: SCRIPT, className: 'McpContainer' },
    workerVersionId: await uploadWorker(),
    tiers: [1, 2],
    observability: true,
  };
  api.requests.length = 0;
});

async function created(): Promise<{ id: string; outs: ApplicationState }> {
  return (await provider.create(spec)) as { id: string; outs: ApplicationState };
}

describe('create', () => {
  it("looks the namespace up in the Worker's version, checks the name is free, and creates the application", async () => {
    const { id, outs } = await created();
    const namespaceId = api.scripts.get(SCRIPT)!.namespaces.get('McpContainer');
    expect(api.requests.map(({ method, path }) => `${method} ${path}`)).toEqual([
      `GET /accounts/${ACCOUNT}/workers/scripts/${SCRIPT}/versions/${spec.workerVersionId}`,
      `GET /accounts/${ACCOUNT}/containers/applications`,
      `POST /accounts/${ACCOUNT}/containers/applications`,
    ]);
    expect(api.requests.at(-1)!.body).toEqual({
      name: 'secure-mcp-dev-bridge',
      scheduling_policy: 'default',
      observability: { logs: { enabled: true } },
      configuration: { image: spec.image, instance_type: 'basic' },
      instances: 0,
      max_instances: 10,
      constraints: { tiers: [1, 2] },
      durable_objects: { namespace_id: namespaceId },
      rollout_active_grace_period: 0,
    });
    expect(api.applications.get(id)?.durable_objects.namespace_id).toBe(namespaceId);
    expect(outs).toEqual({ ...spec, durableObjectNamespaceId: namespaceId });
  });

  it('adopts an application of the same name on the same namespace (a run that stopped before saving), by PATCH and rollout', async () => {
    const first = await created();
    const again = await created();
    expect(again.id).toBe(first.id);
    expect(api.applications.size).toBe(1);
    expect(api.requests.map(({ method }) => method).slice(-2)).toEqual(['PATCH', 'POST']);
  });

  it('refuses an application of the same name tied to another namespace', async () => {
    await created();
    api.applications.values().next().value!.durable_objects.namespace_id = 'another-namespace';
    await expect(provider.create(spec)).rejects.toThrow(/already exists .*tied to another Durable Object namespace/);
  });

  it('says so when the Worker version has no namespace for the class', async () => {
    await expect(
      provider.create({ ...spec, durableObjects: { scriptName: SCRIPT, className: 'Other' } }),
    ).rejects.toThrow(/has no Durable Object namespace for Other/);
  });

  it('waits out a 429 with Retry-After and succeeds', async () => {
    api.failNext(2, 429, { 'retry-after': '0' });
    const { id } = await created();
    expect(api.applications.has(id)).toBe(true);
  });

  it('gives up on a 429 that does not end, saying what to do', async () => {
    api.failNext(3, 429, { 'retry-after': '0' });
    await expect(provider.create(spec)).rejects.toThrow(/rate-limiting .*429.*run pulumi up again/);
    expect(api.applications.size).toBe(0);
  });

  it('explains a token Cloudflare refuses, naming the permission', async () => {
    const wrongToken = containerApplicationProvider({ apiToken: 'not-the-token', baseURL: api.baseURL, maxRetries: 0 });
    await expect(wrongToken.create(spec)).rejects.toThrow(/refused the API token \(403\)/);
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
    expect(await provider.read!(id, outs)).toMatchObject({ id, props: { maxInstances: 3 } });
  });

  it('reports an application deleted outside Pulumi as gone', async () => {
    const { id, outs } = await created();
    api.applications.delete(id);
    expect(await provider.read!(id, outs)).toEqual({});
  });
});

describe('update', () => {
  it('patches the application, then rolls the new image out in two steps, as wrangler does', async () => {
    const { id, outs } = await created();
    api.requests.length = 0;
    const result = await provider.update!(id, outs, { ...spec, image: DIGEST('b') });
    expect(api.requests.map(({ method, path }) => `${method} ${path}`)).toEqual([
      `PATCH /accounts/${ACCOUNT}/containers/applications/${id}`,
      `POST /accounts/${ACCOUNT}/containers/applications/${id}/rollouts`,
    ]);
    expect(api.requests[0]!.body).toEqual({
      configuration: { image: DIGEST('b'), instance_type: 'basic' },
      max_instances: 10,
      constraints: { tiers: [1, 2] },
      scheduling_policy: 'default',
      rollout_active_grace_period: 0,
    });
    expect(api.rollouts).toEqual([
      {
        applicationId: id,
        body: {
          description: 'Progressive update',
          strategy: 'rolling',
          target_configuration: { image: DIGEST('b'), instance_type: 'basic' },
          steps: [
            { step_size: { percentage: 10 }, description: 'Step 1 of 2 - rollout at 10% of instances' },
            { step_size: { percentage: 100 }, description: 'Step 2 of 2 - rollout at 100% of instances' },
          ],
          kind: 'full_auto',
        },
      },
    ]);
    expect(result.outs).toMatchObject({ image: DIGEST('b'), durableObjectNamespaceId: outs.durableObjectNamespaceId });
    expect(api.applications.get(id)?.configuration.image).toBe(DIGEST('b'));
  });

  it('rolls out at once when at most one instance runs', async () => {
    const { id, outs } = await created();
    await provider.update!(id, outs, { ...spec, maxInstances: 1 });
    expect(api.rollouts.at(-1)!.body).toMatchObject({ step_percentage: 100 });
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
  it('reports no change when nothing changed, even after a new Worker upload (a new version id)', async () => {
    const { outs } = await created();
    expect(await provider.diff!('id', outs, { ...spec, workerVersionId: 'f'.repeat(32) })).toEqual({
      changes: false,
      replaces: [],
      deleteBeforeReplace: false,
    });
  });

  it('replaces (deleting first) on a new name or Durable Object class, updates otherwise', async () => {
    const state = { ...spec, durableObjectNamespaceId: 'ns' };
    expect(await provider.diff!('id', state, { ...spec, name: 'secure-mcp-dev-bridge2' })).toEqual({
      changes: true,
      replaces: ['name'],
      deleteBeforeReplace: true,
    });
    expect(
      await provider.diff!('id', state, { ...spec, durableObjects: { scriptName: SCRIPT, className: 'Other' } }),
    ).toMatchObject({ replaces: ['durableObjects'] });
    expect(await provider.diff!('id', state, { ...spec, image: DIGEST('c') })).toEqual({
      changes: true,
      replaces: [],
      deleteBeforeReplace: false,
    });
    expect(inputChange(state, { ...spec, tiers: [1] }, APPLICATION_INPUTS).changes).toEqual(['tiers']);
  });

  it('accepts a digest a preview does not know yet, and counts it as a change', async () => {
    const preview = { ...spec, image: UNKNOWN_INPUT, workerVersionId: UNKNOWN_INPUT };
    expect(await provider.check!({} as ApplicationSpec, preview)).toEqual({ inputs: preview, failures: [] });
    expect(await provider.diff!('id', { ...spec, durableObjectNamespaceId: 'ns' }, preview)).toMatchObject({
      changes: true,
      replaces: [],
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

describe('serialization', () => {
  it('survives the trip Pulumi makes it take into state and back, and still talks to the API', async () => {
    const { revived, text } = await serializeAndRevive(provider);
    // The SDK is loaded at run time, not copied into every stack's state.
    expect(text.length).toBeLessThan(64 * 1024);
    const { id } = (await revived.create(spec)) as { id: string };
    expect(api.applications.has(id)).toBe(true);
  });
});
