/**
 * Type evidence for every shipped stack: each resource's inputs, as a mocks run of the program
 * registers them, are written out as an object literal and compiled with
 * `satisfies <Resource>Args` (the provider packages' own types; excess property checks on), so
 * a misspelled or unknown input, or a wrong type, fails here instead of at `pulumi up`.
 * (The 6.22 provider schema is too large to fetch here; its TypeScript types are installed.)
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it, vi } from 'vitest';
import { type RegisteredResource, startMockedStack } from '../pulumi-test-mocks.ts';
import { isDynamic, providerInputs } from './dynamic-provider-calls.ts';
import { stackFileConfig } from './plan-stack.ts';

vi.mock('../../container/build.ts', () => ({
  buildBridge: vi.fn<() => Promise<string>>(async () => '/mock/bridge.mjs'),
}));

const infra = fileURLToPath(new URL('..', import.meta.url));
/** Where the generated file pretends to live, so that its imports resolve as the program's do. */
const EVIDENCE = `${infra}plan/__resource-args-evidence__.ts`;

/** The `Args` type of each dynamic resource, by type token. */
const DYNAMIC_ARGS: Record<string, { module: string; type: string }> = {
  'pulumi-nodejs:dynamic/secure-mcp:WorkerScript': {
    module: '../worker-script/worker-script.ts',
    type: 'WorkerScriptArgs',
  },
  'pulumi-nodejs:dynamic/secure-mcp:RegistryCredentials': {
    module: '../container-app/registry-credentials.ts',
    type: 'RegistryCredentialsArgs',
  },
  'pulumi-nodejs:dynamic/secure-mcp:ContainerApplication': {
    module: '../container-app/container-application.ts',
    type: 'ContainerApplicationArgs',
  },
};

/** `cloudflare:index/workersKvNamespace:WorkersKvNamespace` → `cloudflare.WorkersKvNamespaceArgs`. */
function argsType(resource: RegisteredResource): string {
  const dynamic = DYNAMIC_ARGS[resource.type];
  if (dynamic) return dynamic.type;
  const [pkg, , name] = resource.type.split(':');
  if (!pkg || !name || !['cloudflare', 'docker', 'random'].includes(pkg)) {
    throw new Error(`No Args type known for ${resource.type}: add it to this test.`);
  }
  return `${pkg}.${name}Args`;
}

/** The TypeScript source: one `satisfies` per custom resource. */
function evidenceSource(resources: RegisteredResource[]): string {
  const imports = [
    "import type * as cloudflare from '@pulumi/cloudflare';",
    "import type * as docker from '@pulumi/docker';",
    "import type * as random from '@pulumi/random';",
    ...Object.values(DYNAMIC_ARGS).map(({ module, type }) => `import type { ${type} } from '${module}';`),
  ];
  const lines = resources.map((resource, index) => {
    const inputs = providerInputs(resource.inputs);
    // A dynamic resource's computed outputs are passed to its constructor as `undefined`; they are not inputs.
    if (isDynamic(resource)) for (const [key, value] of Object.entries(inputs)) if (value === null) delete inputs[key];
    return `export const resource${index} /* ${resource.name} */ = ${JSON.stringify(inputs)} satisfies ${argsType(resource)};`;
  });
  return [...imports, ...lines, ''].join('\n');
}

/** TypeScript's diagnostics for `source` compiled as the repository's code is. */
function typeErrors(source: string): string[] {
  const { config } = ts.readConfigFile(`${infra}../tsconfig.json`, (path) => ts.sys.readFile(path));
  const { options } = ts.parseJsonConfigFileContent(config, ts.sys, `${infra}..`);
  const host = ts.createCompilerHost(options);
  const original = { getSourceFile: host.getSourceFile.bind(host), fileExists: host.fileExists.bind(host) };
  host.fileExists = (file) => file === EVIDENCE || original.fileExists(file);
  host.getSourceFile = (file, language, ...rest) =>
    file === EVIDENCE
      ? ts.createSourceFile(file, source, language, true)
      : original.getSourceFile(file, language, ...rest);
  const program = ts.createProgram({ rootNames: [EVIDENCE], options, host });
  return ts
    .getPreEmitDiagnostics(program, program.getSourceFile(EVIDENCE))
    .map((diagnostic) => ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
}

async function registeredFor(stack: string): Promise<RegisteredResource[]> {
  const { config } = stackFileConfig(await readFile(new URL(`../../Pulumi.${stack}.yaml`, import.meta.url), 'utf8'));
  const mocked = await startMockedStack(stack, config);
  vi.resetModules();
  await import('../index.ts');
  await mocked.settled();
  return mocked.registered.filter((resource) => !resource.type.startsWith('secure-mcp:index:'));
}

describe('the inputs of every resource, typed by its provider', () => {
  it('compile with satisfies <Resource>Args for every shipped stack (dev, prod, tenant-acme)', async () => {
    const resources: RegisteredResource[] = [];
    for (const stack of ['dev', 'prod', 'tenant-acme']) {
      const registered = await registeredFor(stack);
      expect(registered.length, stack).toBeGreaterThan(10);
      resources.push(...registered.map((resource) => ({ ...resource, name: `${stack}/${resource.name}` })));
    }
    // One compilation for all three stacks: loading the providers' types is what takes the time.
    expect(typeErrors(evidenceSource(resources))).toEqual([]);
  });

  it('would catch an input the provider does not have, and a wrong type', () => {
    const kv = { type: 'cloudflare:index/workersKvNamespace:WorkersKvNamespace', name: 'kv', inputs: {} };
    const errors = typeErrors(
      evidenceSource([
        { ...kv, inputs: { accountId: 'a', title: 't', notAnInput: true } },
        { ...kv, inputs: { accountId: 'a', title: 7 } },
      ]),
    );
    expect(errors).toEqual([
      expect.stringMatching(/'"notAnInput"' does not exist in type 'WorkersKvNamespaceArgs'/),
      expect.stringMatching(/Type 'number' is not assignable to type 'Input<string>'/),
    ]);
  });
});
