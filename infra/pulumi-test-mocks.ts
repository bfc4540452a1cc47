/**
 * Test support: runs Pulumi code against `pulumi.runtime.setMocks`, recording every resource
 * the code registers with the inputs it was given. No engine, no provider, no account.
 *
 * @example
 * ```ts
 * const run = await startMockedStack('dev', { accountId: '0123…' });
 * const program = await import('./index.ts');
 * await run.settled();
 * run.resourcesOfType(TYPES.workersScript); // [{ name, inputs }]
 * ```
 */
import * as pulumi from '@pulumi/pulumi';

/** Type tokens of the resources this program declares. */
export const TYPES = {
  accessPolicy: 'cloudflare:index/zeroTrustAccessPolicy:ZeroTrustAccessPolicy',
  accessApplication: 'cloudflare:index/zeroTrustAccessApplication:ZeroTrustAccessApplication',
  kvNamespace: 'cloudflare:index/workersKvNamespace:WorkersKvNamespace',
  workersScript: 'cloudflare:index/workersScript:WorkersScript',
  scriptSubdomain: 'cloudflare:index/workersScriptSubdomain:WorkersScriptSubdomain',
  customDomain: 'cloudflare:index/workersCustomDomain:WorkersCustomDomain',
  accessAppComponent: 'secure-mcp:index:AccessApp',
  mcpWorkerComponent: 'secure-mcp:index:McpWorker',
} as const;

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
  pulumi.runtime.setAllConfig(Object.fromEntries(Object.entries(config).map(([key, value]) => [`secure-mcp:${key}`, value])));
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
