import { readFile } from 'node:fs/promises';
import * as pulumi from '@pulumi/pulumi';
import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';
import type { WorkerBundle } from '../worker/build.ts';
import {
  COMPATIBILITY_DATE,
  COMPATIBILITY_FLAGS,
  DURABLE_OBJECT_MIGRATIONS,
  McpWorker,
  workerPublicUrl,
} from './mcp-worker.ts';
import { BRIDGE_CONTAINER_CLASS } from './mcp-container.ts';
import { startMockedStack, TYPES, type MockedStack, unwrapSecretInput, valueOf } from './pulumi-test-mocks.ts';

const bundle: WorkerBundle = {
  path: '/bundle/index.js',
  code: 'export default {}',
  sha256: 'ab'.repeat(32),
  mainModule: 'index.js',
  parts: [],
};
const access = {
  issuer: 'https://acme.cloudflareaccess.com/cdn-cgi/access/sso/oidc/cid',
  clientId: 'cid',
  clientSecret: 'shh',
  authorizationUrl: 'https://acme.cloudflareaccess.com/cdn-cgi/access/sso/oidc/cid/authorization',
  tokenUrl: 'https://acme.cloudflareaccess.com/cdn-cgi/access/sso/oidc/cid/token',
  jwksUrl: 'https://acme.cloudflareaccess.com/cdn-cgi/access/sso/oidc/cid/jwks',
};
const accountId = '0123456789abcdef0123456789abcdef';
const zoneId = 'fedcba9876543210fedcba9876543210';

describe('workerPublicUrl', () => {
  it('is the script on the workers.dev subdomain, or the custom domain', () => {
    expect(workerPublicUrl('secure-mcp-dev-gateway', { kind: 'workersDev', subdomain: 'acme' })).toBe(
      'https://secure-mcp-dev-gateway.acme.workers.dev',
    );
    expect(
      workerPublicUrl('secure-mcp-dev-gateway', { kind: 'customDomain', hostname: 'mcp.example.com', zoneId }),
    ).toBe('https://mcp.example.com');
  });
});

describe('McpWorker on a custom domain', () => {
  let mocked: MockedStack;
  let worker: McpWorker;

  beforeAll(async () => {
    mocked = await startMockedStack('dev');
    worker = new McpWorker('gateway', {
      accountId,
      scriptName: 'secure-mcp-dev-gateway',
      route: { kind: 'customDomain', hostname: 'mcp.example.com', zoneId },
      bundle,
      access,
      upstreamUrl: undefined,
      secrets: [{ name: 'COOKIE_SIGNING_KEY', value: 'cookie-key-of-at-least-32-characters' }],
      containerClass: { ...BRIDGE_CONTAINER_CLASS, applicationName: 'secure-mcp-dev-bridge' },
    });
    worker.serve([]);
    await mocked.settled();
  });

  it('binds the container class as a Durable Object, creates it by migration, and marks it container-enabled', () => {
    const [script] = mocked.resourcesOfType(TYPES.workerScript);
    expect(script?.inputs.bindings).toContainEqual({
      type: 'durable_object_namespace',
      name: 'MCP_CONTAINER',
      class_name: 'McpContainer',
    });
    expect(script?.inputs.bindings).toContainEqual({
      type: 'durable_object_namespace',
      name: 'APPROVAL_DESK',
      class_name: 'ApprovalDesk',
    });
    expect(script?.inputs.bindings).toContainEqual({
      type: 'durable_object_namespace',
      name: 'TOOL_RATE_LIMITER',
      class_name: 'ToolRateLimiter',
    });
    // The whole history: the provider sends only the steps Cloudflare has not applied, read at upload time.
    expect(script?.inputs.migrations).toEqual(DURABLE_OBJECT_MIGRATIONS);
    expect(script?.inputs.migrations).toEqual([
      { tag: 'v1', newSqliteClasses: ['McpContainer'] },
      { tag: 'v2', newSqliteClasses: ['ToolRateLimiter'] },
      { tag: 'v3', newSqliteClasses: ['ApprovalDesk'] },
    ]);
    expect(script?.inputs.containers).toEqual([{ name: 'secure-mcp-dev-bridge', className: 'McpContainer' }]);
  });

  it('binds every Durable Object class worker/wrangler.jsonc binds, under the same names', async () => {
    const { durable_objects } = (await wranglerConfig()) as {
      durable_objects: { bindings: { name: string; class_name: string }[] };
    };
    const [script] = mocked.resourcesOfType(TYPES.workerScript);
    const durableObjectBindings = ((script?.inputs.bindings ?? []) as { type: string }[]).filter(
      (binding) => binding.type === 'durable_object_namespace',
    );
    expect(durableObjectBindings).toEqual(
      durable_objects.bindings.map(({ name, class_name }) => ({ type: 'durable_object_namespace', name, class_name })),
    );
  });

  it('makes every secret_text binding a Pulumi secret, and nothing else', async () => {
    const secrecy = await Promise.all(
      worker.secretBindings.map(async (binding) => [binding.name, await pulumi.isSecret(binding.text)] as const),
    );
    expect(secrecy).toEqual([
      ['ACCESS_ISSUER', true],
      ['ACCESS_CLIENT_ID', true],
      ['ACCESS_CLIENT_SECRET', true],
      ['ACCESS_AUTHORIZATION_URL', true],
      ['ACCESS_TOKEN_URL', true],
      ['ACCESS_JWKS_URL', true],
      ['COOKIE_SIGNING_KEY', true],
    ]);
    const [script] = mocked.resourcesOfType(TYPES.workerScript);
    expect(unwrapSecretInput(script?.inputs.secretBindings).secret).toBe(true);
    expect(unwrapSecretInput(script?.inputs.bindings).secret).toBe(false);
    expect(await pulumi.isSecret(worker.bindings)).toBe(false);
  });

  it('leaves UPSTREAM_URL out when no upstream is configured', async () => {
    expect((await valueOf(worker.bindings)).map((binding) => binding.name)).not.toContain('UPSTREAM_URL');
  });

  it('routes the custom domain to the script and turns workers.dev off', () => {
    expect(worker.publicUrl).toBe('https://mcp.example.com');
    expect(worker.mcpUrl).toBe('https://mcp.example.com/mcp');
    const [domain] = mocked.resourcesOfType(TYPES.customDomain);
    expect(domain?.inputs).toEqual({
      accountId,
      hostname: 'mcp.example.com',
      zoneId,
      service: 'secure-mcp-dev-gateway',
    });
    const [subdomain] = mocked.resourcesOfType(TYPES.workersScriptSubdomain);
    expect(subdomain?.inputs).toMatchObject({ enabled: false, previewsEnabled: false });
  });

  it('uploads the bundle from its file as an ES module', () => {
    const [script] = mocked.resourcesOfType(TYPES.workerScript);
    expect(script?.inputs).toMatchObject({
      mainModule: 'index.js',
      bundlePath: bundle.path,
      bundleSha256: bundle.sha256,
    });
  });
});

/** `worker/wrangler.jsonc`, the config `wrangler dev` runs (and the deploy recording reads). */
async function wranglerConfig() {
  const path = new URL('../worker/wrangler.jsonc', import.meta.url);
  const { config, error } = ts.parseConfigFileTextToJson(path.pathname, await readFile(path, 'utf8'));
  expect(error).toBeUndefined();
  return config as Record<string, unknown>;
}

describe('compatibility settings', () => {
  // The Worker tests and the attack suite run in workerd with their own configs: with other flags
  // they would test a runtime that never deploys (request.signal, for one, exists only with a flag).
  it.each(['../worker/test/wrangler.jsonc', '../test/security/worker/wrangler.jsonc'])(
    'match %s, so the tests run the runtime that deploys',
    async (file) => {
      const path = new URL(file, import.meta.url);
      const { config, error } = ts.parseConfigFileTextToJson(path.pathname, await readFile(path, 'utf8'));
      expect(error).toBeUndefined();
      expect(config.compatibility_date).toBe(COMPATIBILITY_DATE);
      expect(config.compatibility_flags).toEqual(COMPATIBILITY_FLAGS);
    },
  );

  it('match worker/wrangler.jsonc, so local runs and deployments behave alike', async () => {
    const config = await wranglerConfig();
    expect(config.compatibility_date).toBe(COMPATIBILITY_DATE);
    expect(config.compatibility_flags).toEqual(COMPATIBILITY_FLAGS);
    // The same Durable Object classes, created by the same migration steps.
    expect(
      (config.migrations as Array<{ tag: string; new_sqlite_classes: string[] }>).map((step) => ({
        tag: step.tag,
        newSqliteClasses: step.new_sqlite_classes,
      })),
    ).toEqual(DURABLE_OBJECT_MIGRATIONS);
  });
});
