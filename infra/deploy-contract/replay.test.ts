/**
 * The program's deploy replayed against the recorded `wrangler deploy` (the sequence
 * Cloudflare supports): the program runs under mocks for a stack named like the recording's,
 * its dynamic providers are called for real against the fake API, in the order Pulumi's
 * engine must run them (the data and `dependsOn` links of the program), and its
 * `@pulumi/cloudflare` route is sent as that resource's documented request. A first deploy,
 * then a later one with new Worker code and a new `max_instances`, as recorded. Any difference
 * in paths, bodies or order that `deploy-contract.ts` does not explain fails the test.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { reviveSerializedProvider } from '../dynamic-provider/revive-provider.ts';
import { providerInputs } from '../plan/dynamic-provider-calls.ts';
import { type RegisteredResource, startMockedStack, TYPES } from '../pulumi-test-mocks.ts';
import { differences, expectedRequests } from './deploy-contract.ts';
import { type FakeCloudflareApi, type RecordedRequest, startFakeCloudflareApi } from './fake-cloudflare-api.ts';
import { normalizeRecording, RECORDED_NAMES, type Recording } from './recording.ts';

vi.mock('../../container/build.ts', () => ({
  buildBridge: vi.fn<() => Promise<string>>(async () => '/mock/bridge.mjs'),
}));

const TOKEN = 'replay-token';
const recording = JSON.parse(
  await readFile(new URL('./wrangler-deploy.recording.json', import.meta.url), 'utf8'),
) as Recording;
/** The image the program's build "pushed" (the registry push is @pulumi/docker's, not an API request). */
const PUSHED_DIGEST = `sha256:${'7'.repeat(64)}`;

type Inputs = Record<string, unknown>;

/** The program under mocks for the recorded stack, with `maxInstances`; its registered resources. */
async function runProgram(maxInstances: number): Promise<RegisteredResource[]> {
  const mocked = await startMockedStack('recorded', {
    accountId: RECORDED_NAMES.account,
    accessTeamName: 'acme',
    workersDevSubdomain: 'fake-subdomain',
    identityProviderId: '5f0c8a4e-3d1b-4c6a-9e2f-7b8d9c0a1b2c',
    identityProviderType: 'okta',
    containerBaseImage: `node:24-bookworm-slim@sha256:${'b'.repeat(64)}`,
    containerInstanceType: 'standard-1',
    containerMaxInstances: String(maxInstances),
  });
  vi.resetModules();
  await import('../index.ts');
  await mocked.settled();
  return mocked.registered;
}

function only(registered: RegisteredResource[], type: string): RegisteredResource {
  const found = registered.filter((resource) => resource.type === type);
  expect(found).toHaveLength(1);
  return found[0]!;
}

/** A dynamic resource's provider, revived from the program's own serialized code, configured with the fake. */
async function providerOf(resource: RegisteredResource, api: FakeCloudflareApi) {
  const provider = await reviveSerializedProvider<
    Required<Pick<import('@pulumi/pulumi').dynamic.ResourceProvider, 'create' | 'update' | 'diff'>> & {
      access: { baseURL?: string; maxRetries?: number };
    }
  >(String(resource.inputs.__provider), { 'cloudflare:apiToken': TOKEN });
  provider.access.baseURL = api.baseURL;
  provider.access.maxRetries = 0;
  return provider;
}

/** The documented request of `WorkersScriptSubdomain` (POST …/workers/scripts/{script_name}/subdomain). */
async function sendSubdomain(api: FakeCloudflareApi, inputs: Inputs): Promise<void> {
  const answer = await fetch(
    `${api.baseURL}/accounts/${String(inputs.accountId)}/workers/scripts/${String(inputs.scriptName)}/subdomain`,
    {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ enabled: inputs.enabled, previews_enabled: inputs.previewsEnabled }),
    },
  );
  expect(answer.status).toBe(200);
}

interface Replayed {
  first: RecordedRequest[];
  later: RecordedRequest[];
}

/** Both deploys of the program against a fresh fake; its requests normalized as the recording is. */
async function replay(folder: string): Promise<Replayed> {
  const api = await startFakeCloudflareApi({ apiToken: TOKEN, externalAccountId: RECORDED_NAMES.externalAccount });
  try {
    // First deploy, in the engine's order: KV, then the upload; the registry steps after the
    // upload (dependsOn), the image, the application (its version and digest), the route last.
    const first = await runProgram(50);
    const kvId = only(first, TYPES.kvNamespace).name + '-id';
    const withRecordedKv = (inputs: Inputs) =>
      JSON.parse(JSON.stringify(providerInputs(inputs)).replaceAll(kvId, RECORDED_NAMES.kvNamespace)) as Inputs;
    const scriptResource = only(first, TYPES.workerScript);
    const script = await providerOf(scriptResource, api);
    const scriptInputs = withRecordedKv(scriptResource.inputs);
    const { outs: scriptState } = await script.create(scriptInputs);
    const credentialsResource = only(first, TYPES.registryCredentials);
    const credentials = await providerOf(credentialsResource, api);
    const credentialsInputs = providerInputs(credentialsResource.inputs);
    const { outs: credentialsState } = await credentials.create(credentialsInputs);
    const applicationResource = only(first, TYPES.containerApplication);
    const application = await providerOf(applicationResource, api);
    const applicationInputs = {
      ...providerInputs(applicationResource.inputs),
      image: `${String(credentialsState.repository)}@${PUSHED_DIGEST}`,
      workerVersionId: scriptState.versionId,
    };
    const { id: applicationId, outs: applicationState } = await application.create(applicationInputs);
    await sendSubdomain(api, only(first, TYPES.workersScriptSubdomain).inputs);
    const firstCount = api.requests.length;

    // A later deploy: new Worker code and max_instances 60. Each dynamic resource is diffed
    // against the state the first deploy left, and updated only if it changed.
    const later = await runProgram(60);
    const code = `${await readFile(String(scriptInputs.bundlePath), 'utf8')}\n// recorded: second deploy\n`;
    const bundlePath = join(folder, 'index.js');
    await writeFile(bundlePath, code);
    const laterScript = {
      ...withRecordedKv(only(later, TYPES.workerScript).inputs),
      bundlePath,
      bundleSha256: createHash('sha256').update(code).digest('hex'),
    };
    const scriptDiff = await script.diff(String(scriptState.scriptName), scriptState, laterScript);
    const { outs: laterScriptState } = scriptDiff.changes
      ? await script.update('id', scriptState, laterScript)
      : { outs: scriptState };
    const laterCredentials = providerInputs(only(later, TYPES.registryCredentials).inputs);
    if ((await credentials.diff('id', credentialsState, laterCredentials)).changes) {
      await credentials.update('id', credentialsState, laterCredentials);
    }
    const laterApplication = {
      ...providerInputs(only(later, TYPES.containerApplication).inputs),
      image: applicationInputs.image,
      workerVersionId: laterScriptState.versionId,
    };
    if ((await application.diff(applicationId, applicationState, laterApplication)).changes) {
      await application.update(applicationId, applicationState, laterApplication);
    }
    const normalized = normalizeRecording(
      { about: '', wrangler: '', deploys: [{ name: 'program', requests: api.requests }] },
      { api, registry: 'registry.cloudflare.com' },
    ).deploys[0]!.requests;
    return { first: normalized.slice(0, firstCount), later: normalized.slice(firstCount) };
  } finally {
    await api.close();
  }
}

const names = { account: RECORDED_NAMES.account, script: RECORDED_NAMES.script };
let folder: string;
let program: Replayed;

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'replay-'));
  program = await replay(folder);
});
afterAll(() => rm(folder, { recursive: true, force: true }));

describe('the recorded wrangler deploy', () => {
  it('is the sequence wrangler 4.164 sent for this Worker: script upload with migrations and containers, then the container', () => {
    expect(recording.wrangler).toBe('4.164.0');
    const [first, later] = recording.deploys;
    const sequence = first!.requests.map(({ method, path }) => `${method} ${path}`);
    const upload = sequence.indexOf(`PUT /accounts/${names.account}/workers/scripts/${names.script}`);
    expect(upload).toBeGreaterThan(-1);
    expect(sequence.some((request) => request.endsWith('/versions'))).toBe(false);
    expect(sequence.indexOf(`POST /accounts/${names.account}/containers/applications`)).toBeGreaterThan(upload);
    expect(later!.requests.map(({ method }) => method)).toContain('PATCH');
  });
});

describe('the program replayed against it', () => {
  it('sends the first deploy as recorded, except where the contract says why', () => {
    expect(differences(expectedRequests(recording.deploys[0]!.requests, names, false), program.first, names)).toEqual(
      [],
    );
  });

  it('sends a later deploy as recorded, except where the contract says why', () => {
    expect(differences(expectedRequests(recording.deploys[1]!.requests, names, true), program.later, names)).toEqual(
      [],
    );
  });

  it('notices when one recorded request differs: a path, a body field, the order', () => {
    const expected = expectedRequests(recording.deploys[0]!.requests, names, false);
    const changedPath = expected.map((request, index) =>
      index === 1 ? { ...request, path: request.path.replace('/workers/scripts/', '/workers/versions/') } : request,
    );
    expect(differences(changedPath, program.first, names)).toEqual([expect.stringMatching(/^request 2: expected PUT/)]);
    const changedBody = structuredClone(expected);
    const create = changedBody.find(
      (request) => request.method === 'POST' && request.path.endsWith('/containers/applications'),
    );
    (create!.body as { constraints: { tiers: number[] } }).constraints.tiers = [1];
    expect(differences(changedBody, program.first, names)).toEqual([
      expect.stringMatching(/POST .*\/containers\/applications: body\.constraints\.tiers: \[1\] ≠ \[1,2\]/),
    ]);
    const swapped = [...expected];
    [swapped[2], swapped[3]] = [swapped[3]!, swapped[2]!];
    expect(differences(swapped, program.first, names).length).toBeGreaterThan(0);
  });
});
