/**
 * Test support: runs Pulumi code against `pulumi.runtime.setMocks`, recording every resource
 * the code registers with the inputs it was given. No engine, no provider, no account.
 *
 * @example
 * ```ts
 * const run = await startMockedStack('dev', { accountId: '0123…' });
 * const program = await import('./index.ts');
 * await run.settled();
 * run.resourcesOfType(TYPES.workerVersion); // [{ name, inputs }]
 * ```
 */
import * as pulumi from '@pulumi/pulumi';

/** Type tokens of the resources this program declares. */
export const TYPES = {
  accessPolicy: 'cloudflare:index/zeroTrustAccessPolicy:ZeroTrustAccessPolicy',
  accessApplication: 'cloudflare:index/zeroTrustAccessApplication:ZeroTrustAccessApplication',
  kvNamespace: 'cloudflare:index/workersKvNamespace:WorkersKvNamespace',
  worker: 'cloudflare:index/worker:Worker',
  workerVersion: 'cloudflare:index/workerVersion:WorkerVersion',
  workersDeployment: 'cloudflare:index/workersDeployment:WorkersDeployment',
  customDomain: 'cloudflare:index/workersCustomDomain:WorkersCustomDomain',
  randomBytes: 'random:index/randomBytes:RandomBytes',
  dockerImage: 'docker:index/image:Image',
  registryCredentials: 'pulumi-nodejs:dynamic/secure-mcp:RegistryCredentials',
  containerApplication: 'pulumi-nodejs:dynamic/secure-mcp:ContainerApplication',
  deployedMigrationTag: 'pulumi-nodejs:dynamic/secure-mcp:DeployedMigrationTag',
  accessAppComponent: 'secure-mcp:index:AccessApp',
  mcpWorkerComponent: 'secure-mcp:index:McpWorker',
  gatewaySecretsComponent: 'secure-mcp:index:GatewaySecrets',
  mcpContainerComponent: 'secure-mcp:index:McpContainer',
} as const;

/** The digest the mocked registry gives every pushed image. */
export const MOCK_IMAGE_DIGEST = `sha256:${'d'.repeat(64)}`;

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
  if (args.type === TYPES.accessApplication) {
    const saasApp = { ...(args.inputs.saasApp as object), clientId: MOCK_CLIENT_ID, clientSecret: MOCK_CLIENT_SECRET };
    return { ...args.inputs, aud: 'mock-aud', saasApp: asRpcSecret(saasApp) };
  }
  if (args.type === TYPES.randomBytes) {
    // Distinct per resource, so a test can tell two keys apart; secret, as the provider marks them.
    const bytes = Buffer.from(args.name.padEnd(32, '#').slice(0, 32));
    return { ...args.inputs, base64: asRpcSecret(bytes.toString('base64')), hex: asRpcSecret(bytes.toString('hex')) };
  }
  if (args.type === TYPES.dockerImage) {
    const repository = String(args.inputs.imageName).replace(/:[^:/]+$/, '');
    return { ...args.inputs, repoDigest: `${repository}@${MOCK_IMAGE_DIGEST}` };
  }
  if (args.type === TYPES.registryCredentials) {
    return {
      ...args.inputs,
      server: 'registry.cloudflare.com',
      username: 'v1',
      password: asRpcSecret('mock-registry-password'),
    };
  }
  if (args.type === TYPES.deployedMigrationTag) {
    // A first deployment: the Worker has no migration yet.
    return { ...args.inputs, tag: '' };
  }
  if (args.type === TYPES.containerApplication) {
    return { ...args.inputs, durableObjectNamespaceId: 'mock-namespace-id', createdAt: '2026-11-26T00:00:00Z' };
  }
  return args.inputs;
}

function asRpcSecret(value: unknown): unknown {
  return { [pulumi.runtime.specialSigKey]: pulumi.runtime.specialSecretSig, value };
}

/**
 * Points the Pulumi runtime at fresh mocks for `stack` of project `secure-mcp` and sets its
 * configuration (keys without the project prefix). Import the code under test afterwards.
 */
export async function startMockedStack(stack: string, config: Record<string, string> = {}): Promise<MockedStack> {
  const registered: RegisteredResource[] = [];
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        registered.push({ type: args.type, name: args.name, inputs: args.inputs });
        return { id: `${args.name}-id`, state: providerOutputs(args) };
      },
      call: (args) => args.inputs,
    },
    'secure-mcp',
    stack,
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
