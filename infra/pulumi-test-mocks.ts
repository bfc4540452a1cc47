/**
 * Test support: runs Pulumi code against `pulumi.runtime.setMocks`, recording every resource
 * the code registers with the inputs it was given. No engine, no provider, no account.
 *
 * @example
 * ```ts
 * const run = await startMockedStack('dev', { accountId: '0123…' });
 * const program = await import('./index.ts');
 * await run.settled();
 * run.resourcesOfType(TYPES.workerScript); // [{ name, inputs }]
 * ```
 */
import * as pulumi from '@pulumi/pulumi';
import { CONTAINER_APPLICATION_TYPE } from './container-app/container-application.ts';
import { REGISTRY_CREDENTIALS_TYPE } from './container-app/registry-credentials.ts';
import { WORKER_SCRIPT_TYPE } from './worker-script/worker-script.ts';

/** Type tokens of the resources this program declares. */
export const TYPES = {
  accessPolicy: 'cloudflare:index/zeroTrustAccessPolicy:ZeroTrustAccessPolicy',
  accessApplication: 'cloudflare:index/zeroTrustAccessApplication:ZeroTrustAccessApplication',
  kvNamespace: 'cloudflare:index/workersKvNamespace:WorkersKvNamespace',
  workerScript: WORKER_SCRIPT_TYPE,
  workersScriptSubdomain: 'cloudflare:index/workersScriptSubdomain:WorkersScriptSubdomain',
  customDomain: 'cloudflare:index/workersCustomDomain:WorkersCustomDomain',
  randomBytes: 'random:index/randomBytes:RandomBytes',
  dockerImage: 'docker:index/image:Image',
  registryCredentials: REGISTRY_CREDENTIALS_TYPE,
  containerApplication: CONTAINER_APPLICATION_TYPE,
  accessAppComponent: 'secure-mcp:index:AccessApp',
  mcpWorkerComponent: 'secure-mcp:index:McpWorker',
  gatewaySecretsComponent: 'secure-mcp:index:GatewaySecrets',
  mcpContainerComponent: 'secure-mcp:index:McpContainer',
} as const;

/** The digest the mocked registry gives every pushed image. */
export const MOCK_IMAGE_DIGEST = `sha256:${'d'.repeat(64)}`;

/** The account's registry namespace (`external_account_id`) under these mocks. */
export const MOCK_EXTERNAL_ACCOUNT = 'mock-external-account';
/** The version id every mocked Worker upload reports. */
export const MOCK_VERSION_ID = 'a1b2c3d4-e5f6-0718-293a-4b5c6d7e8f90';

/** The OIDC client Access "issues" under these mocks. */
export const MOCK_CLIENT_ID = 'mock-client-id-0123456789';
export const MOCK_CLIENT_SECRET = 'mock-client-secret-do-not-log';

export interface RegisteredResource {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
}

export interface MockedStack {
  registered: RegisteredResource[];
  resourcesOfType(type: string): RegisteredResource[];
  /** Waits until every registration the code started has reached the mocks. */
  settled(): Promise<void>;
}

/**
 * Fills in what the provider would compute: the SaaS app's OIDC client. `saasApp` comes back
 * as a secret, as it may from the real provider (it holds the client secret).
 */
function providerOutputs(args: pulumi.runtime.MockResourceArgs): Record<string, unknown> {
  const inputs = inputsOf(args);
  if (args.type === TYPES.accessApplication) {
    const saasApp = { ...(inputs.saasApp as object), clientId: MOCK_CLIENT_ID, clientSecret: MOCK_CLIENT_SECRET };
    return { ...inputs, aud: 'mock-aud', saasApp: asRpcSecret(saasApp) };
  }
  if (args.type === TYPES.randomBytes) {
    // Distinct per resource, so a test can tell two keys apart; secret, as the provider marks them.
    const bytes = Buffer.from(args.name.padEnd(32, '#').slice(0, 32));
    return { ...inputs, base64: asRpcSecret(bytes.toString('base64')), hex: asRpcSecret(bytes.toString('hex')) };
  }
  if (args.type === TYPES.dockerImage) {
    const repository = String(inputs.imageName).replace(/:[^:/]+$/, '');
    return { ...inputs, repoDigest: `${repository}@${MOCK_IMAGE_DIGEST}` };
  }
  if (args.type === TYPES.registryCredentials) {
    return {
      ...inputs,
      repository: `${String(inputs.registry)}/${MOCK_EXTERNAL_ACCOUNT}/${String(inputs.repositoryName)}`,
      externalAccountId: MOCK_EXTERNAL_ACCOUNT,
      username: 'v1',
      password: asRpcSecret('mock-registry-password'),
    };
  }
  if (args.type === TYPES.workerScript) {
    const history = (inputs.migrations ?? []) as { tag: string }[];
    return { ...inputs, versionId: MOCK_VERSION_ID, migrationTag: history.at(-1)?.tag ?? '' };
  }
  if (args.type === TYPES.containerApplication) {
    return { ...inputs, durableObjectNamespaceId: 'mock-namespace-id' };
  }
  return inputs;
}

/** Pulumi types a mock's inputs as `any`; they are the resource's arguments, a plain object. */
function inputsOf(args: { inputs: unknown }): Record<string, unknown> {
  return args.inputs as Record<string, unknown>;
}

/** `state` with every value the provider computed (not equal to the input) replaced by Pulumi's unknown. */
function unknownWhereComputed(
  inputs: Record<string, unknown>,
  state: Record<string, unknown>,
): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(state).map(([key, value]) => [
      key,
      JSON.stringify(value) === JSON.stringify(inputs[key]) ? value : pulumi.runtime.unknownValue,
    ]),
  );
}

function asRpcSecret(value: unknown): unknown {
  return { [pulumi.runtime.specialSigKey]: pulumi.runtime.specialSecretSig, value };
}

/**
 * Points the Pulumi runtime at fresh mocks for `stack` of project `secure-mcp` and sets its
 * configuration (keys without the project prefix). Import the code under test afterwards.
 */
export async function startMockedStack(
  stack: string,
  config: Record<string, string> = {},
  options: { preview?: boolean } = {},
): Promise<MockedStack> {
  const registered: RegisteredResource[] = [];
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        registered.push({ type: args.type, name: args.name, inputs: inputsOf(args) });
        const state = providerOutputs(args);
        // A preview of a first deployment: nothing exists yet, so every id and every value a
        // provider computes (ids, digests, client ids, keys) is unknown; only the inputs are known.
        if (options.preview) return { id: undefined, state: unknownWhereComputed(inputsOf(args), state) };
        return { id: `${args.name}-id`, state };
      },
      call: (args) => inputsOf(args),
    },
    'secure-mcp',
    stack,
    options.preview ?? false,
  );
  pulumi.runtime.setAllConfig(
    Object.fromEntries(Object.entries(config).map(([key, value]) => [`secure-mcp:${key}`, value])),
  );
  return {
    registered,
    resourcesOfType: (type) => registered.filter((resource) => resource.type === type),
    settled: () => pulumi.runtime.disconnect(),
  };
}

/** The value inside an output (under mocks every value is known). */
export function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply((value) => resolve(value)));
}

/** Whether an input reached the mocks as a secret, and its value either way. */
export function unwrapSecretInput(input: unknown): { secret: boolean; value: unknown } {
  return { secret: pulumi.runtime.isRpcSecret(input), value: pulumi.runtime.unwrapRpcSecret(input) };
}
