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
import { startMockedStack, TYPES, type MockedStack } from './pulumi-test-mocks.ts';

const bundle: WorkerBundle = {
  path: '/bundle/index.js',
  code: 'export default {}',
  sha256: 'ab'.repeat(32),
  mainModule: 'index.js',
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
      containerClass: BRIDGE_CONTAINER_CLASS,
    });
    await mocked.settled();
  });

  it('binds the container class as a Durable Object and creates it by migration', () => {
    expect(worker.bindings).toContainEqual({
      type: 'durable_object_namespace',
      name: 'MCP_CONTAINER',
      className: 'McpContainer',
    });
    const [version] = mocked.resourcesOfType(TYPES.workerVersion);
    expect(version?.inputs.migrations).toEqual({
      newTag: 'v2',
      steps: [{ newSqliteClasses: ['McpContainer'] }, { newSqliteClasses: ['ToolRateLimiter'] }],
    });
    expect(worker.bindings).toContainEqual({
      type: 'durable_object_namespace',
      name: 'TOOL_RATE_LIMITER',
      className: 'ToolRateLimiter',
    });
    expect(version?.inputs.containers).toEqual([{ className: 'McpContainer' }]);
    // The steps depend on what Cloudflare applied: read again on every update (the mocks say: nothing yet).
    expect(
      mocked.resourcesOfType(TYPES.deployedMigrationTag).map(({ inputs }) => [inputs.accountId, inputs.scriptName]),
    ).toEqual([[accountId, 'secure-mcp-dev-gateway']]);
  });

  it('makes every secret_text binding a Pulumi secret, and nothing else', async () => {
    const secrecy = await Promise.all(
      worker.bindings.map(
        async (binding) => [binding.name, binding.type, await pulumi.isSecret(pulumi.output(binding.text))] as const,
      ),
    );
    expect(secrecy.filter(([, type]) => type === 'secret_text').map(([name, , secret]) => [name, secret])).toEqual([
      ['ACCESS_ISSUER', true],
      ['ACCESS_CLIENT_ID', true],
      ['ACCESS_CLIENT_SECRET', true],
      ['ACCESS_AUTHORIZATION_URL', true],
      ['ACCESS_TOKEN_URL', true],
      ['ACCESS_JWKS_URL', true],
      ['COOKIE_SIGNING_KEY', true],
    ]);
    expect(secrecy.filter(([, type]) => type !== 'secret_text').every(([, , secret]) => !secret)).toBe(true);
  });

  it('leaves UPSTREAM_URL out when no upstream is configured', () => {
    expect(worker.bindings.map((binding) => binding.name)).not.toContain('UPSTREAM_URL');
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
    const [workerResource] = mocked.resourcesOfType(TYPES.worker);
    expect(workerResource?.inputs).toMatchObject({ subdomain: { enabled: false, previewsEnabled: false } });
  });

  it('uploads the bundle from its file as an ES module', () => {
    const [version] = mocked.resourcesOfType(TYPES.workerVersion);
    expect(version?.inputs).toMatchObject({
      mainModule: 'index.js',
      modules: [{ name: 'index.js', contentType: 'application/javascript+module', contentFile: bundle.path }],
    });
  });
});

describe('compatibility settings', () => {
  it('match worker/wrangler.jsonc, so local runs and deployments behave alike', async () => {
    const path = new URL('../worker/wrangler.jsonc', import.meta.url);
    const { config, error } = ts.parseConfigFileTextToJson(path.pathname, await readFile(path, 'utf8'));
    expect(error).toBeUndefined();
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
