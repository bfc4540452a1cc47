/**
 * A second `pulumi up` over the first one's result changes nothing, and a preview of a first
 * deployment gets through every dynamic provider: each provider is called as the engine calls
 * it (`dynamic-provider-calls.ts`), with the state its own `create` produced against the fake
 * API, and every other resource receives exactly the inputs it received the first time.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startFakeCloudflareApi, type FakeCloudflareApi } from '../deploy-contract/fake-cloudflare-api.ts';
import { reviveSerializedProvider } from '../dynamic-provider/revive-provider.ts';
import { type RegisteredResource, startMockedStack, TYPES } from '../pulumi-test-mocks.ts';
import { callDynamicProviders, isDynamic, providerInputs } from './dynamic-provider-calls.ts';
import { planFailed, planStack } from './plan-stack.ts';

vi.mock('../../container/build.ts', () => ({
  buildBridge: vi.fn<() => Promise<string>>(async () => '/mock/bridge.mjs'),
}));

const TOKEN = 'second-run-token';
const CONFIG = {
  accountId: '0123456789abcdef0123456789abcdef',
  accessTeamName: 'acme',
  workersDevSubdomain: 'acme-sub',
  sessionDuration: '12h',
  identityProviderId: '5f0c8a4e-3d1b-4c6a-9e2f-7b8d9c0a1b2c',
  identityProviderType: 'okta',
  containerBaseImage: `node:24-bookworm-slim@sha256:${'b'.repeat(64)}`,
  containerInstanceType: 'standard-1',
  containerMaxInstances: '50',
};

async function runProgram(): Promise<RegisteredResource[]> {
  const mocked = await startMockedStack('prod', CONFIG);
  vi.resetModules();
  await import('../index.ts');
  await mocked.settled();
  return mocked.registered;
}

/** What the first `pulumi up` stored for each dynamic resource: the outputs of its provider's own `create`. */
async function createDynamicResources(
  registered: RegisteredResource[],
  api: FakeCloudflareApi,
): Promise<Map<string, Record<string, unknown>>> {
  const states = new Map<string, Record<string, unknown>>();
  // The engine's order (data and dependsOn links): the upload, the registry, the application.
  const order = [TYPES.workerScript, TYPES.registryCredentials, TYPES.containerApplication];
  for (const type of order) {
    const resource = registered.find((candidate) => candidate.type === type)!;
    const provider = await reviveSerializedProvider<
      Required<Pick<import('@pulumi/pulumi').dynamic.ResourceProvider, 'create'>> & { access: { baseURL?: string } }
    >(String(resource.inputs.__provider), { 'cloudflare:apiToken': TOKEN });
    provider.access.baseURL = api.baseURL;
    const inputs = providerInputs(resource.inputs);
    if (type === TYPES.containerApplication) {
      // What the first run's outputs fed it: the uploaded version (the mocks' id would not exist in the fake).
      inputs.workerVersionId = states.get('gateway-script')!.versionId;
    }
    const { outs } = await provider.create(inputs);
    states.set(
      resource.name,
      type === TYPES.containerApplication ? { ...outs, workerVersionId: inputs.workerVersionId } : outs,
    );
  }
  return states;
}

let api: FakeCloudflareApi;
beforeAll(async () => {
  api = await startFakeCloudflareApi({ apiToken: TOKEN });
});
afterAll(() => api.close());

describe('a second run over the first run', () => {
  it('reports no change for any resource when nothing changed', async () => {
    const first = await runProgram();
    const states = await createDynamicResources(first, api);
    const second = await runProgram();
    expect(second.map((resource) => resource.name)).toEqual(first.map((resource) => resource.name));

    const calls = await callDynamicProviders(second, states);
    expect(calls.map((call) => call.name).sort()).toEqual([
      'bridge-app',
      'bridge-registry-credentials',
      'gateway-script',
    ]);
    for (const call of calls) {
      expect(call.failures, call.name).toEqual([]);
      expect(call.diff?.changes, call.name).toBe(false);
    }
    // Every other resource gets the same inputs, so its provider has nothing to change.
    for (const resource of second.filter((candidate) => !isDynamic(candidate))) {
      const before = first.find((candidate) => candidate.name === resource.name)!;
      expect(providerInputs(resource.inputs), resource.name).toEqual(providerInputs(before.inputs));
    }
  });
});

describe('a preview of a first deployment', () => {
  it("gets through every dynamic provider's check() with the values it cannot know yet", async () => {
    vi.resetModules(); // planStack imports the program, which ran above in this file
    const plan = await planStack('prod', { preview: true });
    expect(planFailed(plan)).toBe(false);
    const checks = plan.providerChecks ?? [];
    expect(checks.map((call) => call.name).sort()).toEqual([
      'bridge-app',
      'bridge-registry-credentials',
      'gateway-script',
    ]);
    // The image digest and the Worker's version do not exist before the update: unknown, and accepted.
    expect(checks.find((call) => call.name === 'bridge-app')?.unknownInputs).toEqual(
      expect.arrayContaining(['image', 'workerVersionId']),
    );
    // The Access client and the keys do not exist yet either: the Worker's secret bindings are unknown.
    expect(checks.find((call) => call.name === 'gateway-script')?.unknownInputs).toEqual(
      expect.arrayContaining(['bindings', 'secretBindings']),
    );
    expect(checks.every((call) => call.failures.length === 0)).toBe(true);
  });
});
