/**
 * Test support, run as `node --import tsx` (the loader Pulumi.yaml gives the program): each
 * dynamic provider of this program is serialized as `pulumi.dynamic.Resource` stores it,
 * revived as Pulumi's provider host revives it (a CommonJS module with a `handler`, then
 * `configure` with the stack config), and the revived one is used against the fake API whose
 * URL and token are the arguments. Prints one JSON line: what each revived provider did.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serializeAndRevive } from '../dynamic-provider/revive-provider.ts';
import { workerScriptProvider } from '../worker-script/worker-script-provider.ts';
import { containerApplicationProvider } from './application-provider.ts';
import { registryCredentialsProvider } from './registry-credentials.ts';

const [baseURL, apiToken] = process.argv.slice(2);
const accountId = '0123456789abcdef0123456789abcdef';

/** A provider as Pulumi's host holds it after reviving it. */
interface Revived {
  create(inputs: object): Promise<{ id: string; outs: Record<string, unknown> }>;
  access: { baseURL?: string };
}

async function revive(provider: object): Promise<Revived> {
  // What Pulumi's host does: evaluate the stored text, then hand over the stack config (here: the token).
  const { revived } = await serializeAndRevive(provider as Revived, { 'cloudflare:apiToken': apiToken! });
  revived.access.baseURL = baseURL;
  return revived;
}

const code = 'export default {};\nexport class McpContainer {}\n';
const bundlePath = join(await mkdtemp(join(tmpdir(), 'roundtrip-')), 'index.js');
await writeFile(bundlePath, code);
const script = await (
  await revive(workerScriptProvider())
).create({
  accountId,
  scriptName: 'secure-mcp-dev-gateway',
  mainModule: 'index.js',
  bundlePath,
  bundleSha256: createHash('sha256').update(code).digest('hex'),
  compatibilityDate: '2026-11-01',
  compatibilityFlags: [],
  bindings: [{ type: 'durable_object_namespace', name: 'MCP_CONTAINER', class_name: 'McpContainer' }],
  secretBindings: [],
  migrations: [{ tag: 'v1', newSqliteClasses: ['McpContainer'] }],
  containers: [{ name: 'secure-mcp-dev-bridge', className: 'McpContainer' }],
  observability: true,
});
const credentials = await (
  await revive(registryCredentialsProvider())
).create({
  accountId,
  registry: 'registry.cloudflare.com',
  repositoryName: 'secure-mcp-dev-bridge',
  buildDigest: `sha256:${'1'.repeat(64)}`,
});
const application = await (
  await revive(containerApplicationProvider())
).create({
  accountId,
  name: 'secure-mcp-dev-bridge',
  image: `${String(credentials.outs.repository)}@sha256:${'a'.repeat(64)}`,
  instanceType: 'basic',
  maxInstances: 2,
  durableObjects: { scriptName: 'secure-mcp-dev-gateway', className: 'McpContainer' },
  workerVersionId: script.outs.versionId,
  tiers: [1, 2],
  observability: true,
});
console.log(
  JSON.stringify({
    scriptVersion: script.outs.versionId,
    registryUser: credentials.outs.username,
    applicationId: application.id,
  }),
);
