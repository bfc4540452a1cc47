/**
 * The whole program under Pulumi mocks: what it declares, how the pieces refer to each
 * other, and that stacks stay apart. Component details are tested beside each component.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { accessPolicies } from '../policies/access.ts';
import { buildWorker } from '../worker/build.ts';
import { policySlug } from './access-rules.ts';
import {
  MOCK_CLIENT_ID,
  type MockedStack,
  type RegisteredResource,
  startMockedStack,
  TYPES,
  unwrapSecretInput,
  valueOf,
} from './pulumi-test-mocks.ts';

const CONFIG = {
  accountId: '0123456789abcdef0123456789abcdef',
  accessTeamName: 'acme',
  workersDevSubdomain: 'acme-sub',
  identityProviderId: '5f0c8a4e-3d1b-4c6a-9e2f-7b8d9c0a1b2c',
  upstreamUrl: 'https://mcp.example.com/mcp',
};
const DEV_ORIGIN = 'https://secure-mcp-dev-gateway.acme-sub.workers.dev';

type Program = typeof import('./index.ts');

/** Runs the program in a fresh module context, as `pulumi up` would for `stack`. */
async function runProgram(stack: string, config: Record<string, string>): Promise<MockedStack & { program: Program }> {
  const mocked = await startMockedStack(stack, config);
  vi.resetModules();
  const program: Program = await import('./index.ts');
  await mocked.settled();
  return { ...mocked, program };
}

function only(resources: RegisteredResource[]): RegisteredResource {
  expect(resources).toHaveLength(1);
  return resources[0] as RegisteredResource;
}

type Binding = { type: string; name: string; text?: unknown; namespaceId?: unknown };

/** Every name Cloudflare sees, whatever the field is called on that resource. */
function physicalNames(registered: RegisteredResource[]): string[] {
  return registered.flatMap(({ inputs }) =>
    [inputs.name, inputs.title, inputs.scriptName].filter((name): name is string => typeof name === 'string'),
  );
}

describe('the program (stack dev)', () => {
  let dev: Awaited<ReturnType<typeof runProgram>>;
  let script: RegisteredResource;
  let bindings: Binding[];
  let bindingsWereSecret: boolean;

  beforeAll(async () => {
    dev = await runProgram('dev', CONFIG);
    script = only(dev.resourcesOfType(TYPES.workersScript));
    const unwrapped = unwrapSecretInput(script.inputs.bindings);
    bindingsWereSecret = unwrapped.secret;
    bindings = unwrapped.value as Binding[];
  });

  it('declares the Access policies and app, the KV namespace, the Worker and its workers.dev route', () => {
    const types = dev.registered.map((resource) => resource.type).sort();
    expect(types).toEqual(
      [
        ...accessPolicies.map(() => TYPES.accessPolicy),
        TYPES.accessApplication,
        TYPES.kvNamespace,
        TYPES.workersScript,
        TYPES.scriptSubdomain,
        TYPES.accessAppComponent,
        TYPES.mcpWorkerComponent,
      ].sort(),
    );
  });

  it('names every resource <project>-<stack>-<suffix>', () => {
    expect(dev.resourcesOfType(TYPES.accessPolicy).map((policy) => policy.inputs.name)).toEqual(
      accessPolicies.map((policy) => `secure-mcp-dev-policy-${policySlug(policy.name)}`),
    );
    expect(only(dev.resourcesOfType(TYPES.accessApplication)).inputs.name).toBe('secure-mcp-dev-access');
    expect(only(dev.resourcesOfType(TYPES.kvNamespace)).inputs.title).toBe('secure-mcp-dev-oauth-kv');
    expect(script.inputs.scriptName).toBe('secure-mcp-dev-gateway');
    for (const name of physicalNames(dev.registered)) expect(name).toMatch(/^secure-mcp-dev-/);
  });

  it('puts every resource in the configured account', () => {
    for (const resource of dev.registered.filter(({ type }) => type.startsWith('cloudflare:'))) {
      expect(resource.inputs.accountId, resource.name).toBe(CONFIG.accountId);
    }
  });

  it('attaches the policies to the app in list order, precedence 1..n', () => {
    const policyIds = dev.resourcesOfType(TYPES.accessPolicy).map((policy) => `${policy.name}-id`);
    expect(only(dev.resourcesOfType(TYPES.accessApplication)).inputs.policies).toEqual(
      policyIds.map((id, index) => ({ id, precedence: index + 1 })),
    );
  });

  it("lets Access redirect only to the Worker's PUBLIC_URL + /callback", () => {
    const publicUrl = bindings.find((binding) => binding.name === 'PUBLIC_URL');
    expect(publicUrl).toEqual({ type: 'plain_text', name: 'PUBLIC_URL', text: DEV_ORIGIN });
    const app = only(dev.resourcesOfType(TYPES.accessApplication));
    expect(app.inputs).toMatchObject({
      type: 'saas',
      sessionDuration: '24h',
      saasApp: {
        authType: 'oidc',
        redirectUris: [`${DEV_ORIGIN}/callback`],
        grantTypes: ['authorization_code_with_pkce', 'refresh_tokens'],
        scopes: ['openid', 'email', 'profile', 'groups'],
        allowPkceWithoutClientSecret: false,
      },
    });
  });

  it('binds what the Worker reads, with the Access values derived from the app, sent as secrets', () => {
    const issuer = `https://acme.cloudflareaccess.com/cdn-cgi/access/sso/oidc/${MOCK_CLIENT_ID}`;
    expect(bindingsWereSecret).toBe(true);
    expect(bindings).toEqual([
      { type: 'kv_namespace', name: 'OAUTH_KV', namespaceId: 'gateway-oauth-kv-id' },
      { type: 'plain_text', name: 'PUBLIC_URL', text: DEV_ORIGIN },
      { type: 'secret_text', name: 'ACCESS_ISSUER', text: issuer },
      { type: 'secret_text', name: 'ACCESS_CLIENT_ID', text: MOCK_CLIENT_ID },
      { type: 'secret_text', name: 'ACCESS_CLIENT_SECRET', text: expect.any(String) },
      { type: 'secret_text', name: 'ACCESS_AUTHORIZATION_URL', text: `${issuer}/authorization` },
      { type: 'secret_text', name: 'ACCESS_TOKEN_URL', text: `${issuer}/token` },
      { type: 'secret_text', name: 'ACCESS_JWKS_URL', text: `${issuer}/jwks` },
      { type: 'plain_text', name: 'UPSTREAM_URL', text: CONFIG.upstreamUrl },
    ]);
  });

  it('uploads exactly the bundle buildWorker() produces, keyed on its SHA-256', async () => {
    const bundle = await buildWorker();
    const uploaded = await readFile(script.inputs.contentFile as string, 'utf8');
    expect(uploaded).toBe(bundle.code);
    expect(script.inputs.contentSha256).toBe(createHash('sha256').update(uploaded).digest('hex'));
    expect(script.inputs.contentSha256).toBe(bundle.sha256);
    expect(script.inputs.mainModule).toBe(bundle.mainModule);
    expect(script.inputs).not.toHaveProperty('content');
  });

  it('runs the Worker with the compatibility settings and observability it is developed with', () => {
    expect(script.inputs).toMatchObject({
      compatibilityDate: '2026-11-01',
      compatibilityFlags: ['nodejs_compat', 'global_fetch_strictly_public'],
      observability: { enabled: true },
    });
  });

  it('serves the Worker on workers.dev without preview URLs', () => {
    expect(only(dev.resourcesOfType(TYPES.scriptSubdomain)).inputs).toMatchObject({
      scriptName: 'secure-mcp-dev-gateway',
      enabled: true,
      previewsEnabled: false,
    });
  });

  it('outputs the MCP URL, the Access client id and how to connect', async () => {
    expect(dev.program.mcpUrl).toBe(`${DEV_ORIGIN}/mcp`);
    expect(await valueOf(dev.program.accessClientId)).toBe(MOCK_CLIENT_ID);
    expect(dev.program.connect).toContain(`${DEV_ORIGIN}/mcp`);
    expect(dev.program.connect).toMatch(/mcp-remote.*0\.1\.16 or newer/);
  });
});

describe('two stacks', () => {
  it('never share a physical name', async () => {
    const dev = await runProgram('dev', CONFIG);
    const prod = await runProgram('prod', CONFIG);
    const devNames = physicalNames(dev.registered);
    const prodNames = physicalNames(prod.registered);
    expect(prodNames).toHaveLength(devNames.length);
    expect(prodNames.filter((name) => devNames.includes(name))).toEqual([]);
    expect(prod.program.mcpUrl).toBe('https://secure-mcp-prod-gateway.acme-sub.workers.dev/mcp');
  });
});

describe('a stack without configuration', () => {
  it('stops before creating anything, naming every missing key', async () => {
    const mocked = await startMockedStack('dev', {});
    vi.resetModules();
    const error = await import('./index.ts').then(
      () => undefined,
      (failure: unknown) => failure,
    );
    expect(error).toMatchObject({ name: 'StackConfigError' });
    const message = (error as Error).message;
    for (const key of ['accountId', 'accessTeamName', 'workersDevSubdomain']) {
      expect(message).toContain(`${key} is missing`);
    }
    await mocked.settled();
    expect(mocked.registered).toEqual([]);
  });
});
