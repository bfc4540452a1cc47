/**
 * Test support, run as `node --import tsx` (the loader Pulumi.yaml gives the program): each
 * dynamic provider of this program is serialized as `pulumi.dynamic.Resource` stores it,
 * revived as Pulumi's provider host revives it (a CommonJS module with a `handler`), and the
 * revived one is used against the fake API whose URL and token are the arguments. Prints one
 * JSON line: what each revived provider did.
 */
import { createRequire } from 'node:module';
import * as pulumi from '@pulumi/pulumi';
import { deployedMigrationTagProvider } from '../migrations/deployed-migration-tag.ts';
import { containerApplicationProvider } from './application-provider.ts';
import { registryCredentialsProvider } from './registry-credentials.ts';

const [baseURL, apiToken] = process.argv.slice(2);
const accountId = '0123456789abcdef0123456789abcdef';

/** A provider as Pulumi's host holds it after reviving it. */
interface Revived {
  configure(request: unknown): Promise<void>;
  create(inputs: object): Promise<{ id: string; outs: Record<string, unknown> }>;
  access: { baseURL?: string };
}

async function revive(provider: object): Promise<Revived> {
  const { text } = await pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true });
  const module = { exports: {} as { handler: () => unknown } };
  // oxlint-disable-next-line typescript/no-implied-eval -- evaluating the serialized text is what Pulumi's host does
  const load = new Function('module', 'exports', 'require', text) as (
    module: { exports: object },
    exports: object,
    require: NodeJS.Require,
  ) => void;
  load(module, module.exports, createRequire(`${process.cwd()}/package.json`));
  const revived = module.exports.handler() as Revived;
  // What Pulumi's host does first: hand over the stack config (here: the token).
  await revived.configure({ config: { get: (key: string) => (key === 'cloudflare:apiToken' ? apiToken : undefined) } });
  revived.access.baseURL = baseURL;
  return revived;
}

const application = await revive(containerApplicationProvider());
const created = await application.create({
  accountId,
  name: 'secure-mcp-dev-bridge',
  image: `registry.cloudflare.com/${accountId}/secure-mcp-dev-bridge@sha256:${'a'.repeat(64)}`,
  instanceType: 'basic',
  maxInstances: 2,
  durableObjects: { scriptName: 'secure-mcp-dev-gateway', className: 'McpContainer' },
});
const credentials = await (await revive(registryCredentialsProvider())).create({ accountId });
const tag = await (
  await revive(deployedMigrationTagProvider())
).create({ accountId, scriptName: 'secure-mcp-dev-gateway' });
console.log(
  JSON.stringify({ applicationId: created.id, registryUser: credentials.outs.username, migrationTag: tag.outs.tag }),
);
