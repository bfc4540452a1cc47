/**
 * The whole program under Pulumi mocks: what it declares, how the pieces refer to each
 * other, and that stacks stay apart. Component details are tested beside each component.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import * as pulumi from '@pulumi/pulumi';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { accessPoliciesFor } from '../policies/access.ts';
import { buildWorker } from '../worker/build.ts';
import { REQUIRED_TEXT_BINDINGS } from '../worker/src/required-bindings.ts';
import { policySlug } from './access-rules.ts';
import { contextFiles, ignoreFileOf } from './container-app/build-context.ts';
import {
  acceptsUnpinnedProvider,
  appWithoutPolicy,
  everyoneInProduction,
  type GuardedResource,
  imageNotPinned,
  providerNotPinned,
  secretInPlainText,
  sessionTooLong,
  type StackContext,
} from './guardrails/rules.ts';
import {
  MOCK_CLIENT_ID,
  MOCK_CLIENT_SECRET,
  MOCK_EXTERNAL_ACCOUNT,
  MOCK_IMAGE_DIGEST,
  MOCK_VERSION_ID,
  type MockedStack,
  type RegisteredResource,
  startMockedStack,
  TYPES,
  unwrapSecretInput,
  valueOf,
} from './pulumi-test-mocks.ts';

// The container build is Bridge's; under mocks nothing reads its output, so it is not run.
vi.mock('../container/build.ts', () => ({
  buildBridge: vi.fn<typeof import('../container/build.ts').buildBridge>(async () => '/mock/container/dist/bridge.mjs'),
}));
// The real Worker build, once for the file: every program run below uploads the same bundle.
const workerBuild = vi.hoisted(() => ({ bundle: undefined as Promise<unknown> | undefined }));
vi.mock('../worker/build.ts', async (importOriginal) => {
  const real = await importOriginal<typeof import('../worker/build.ts')>();
  return { ...real, buildWorker: () => (workerBuild.bundle ??= real.buildWorker()) };
});

const accessPolicies = accessPoliciesFor('dev');

const BASE_DIGEST = `sha256:${'b'.repeat(64)}`;
const CONFIG = {
  accountId: '0123456789abcdef0123456789abcdef',
  accessTeamName: 'acme',
  workersDevSubdomain: 'acme-sub',
  identityProviderId: '5f0c8a4e-3d1b-4c6a-9e2f-7b8d9c0a1b2c',
  identityProviderType: 'okta',
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

type Binding = { type: string; name: string; text?: unknown; namespace_id?: unknown; class_name?: unknown };

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
  let secretBindings: Binding[];
  let secretBindingsWereSecret: boolean;

  beforeAll(async () => {
    dev = await runProgram('dev', CONFIG);
    script = only(dev.resourcesOfType(TYPES.workerScript));
    bindings = script.inputs.bindings as Binding[];
    const unwrapped = unwrapSecretInput(script.inputs.secretBindings);
    secretBindingsWereSecret = unwrapped.secret;
    secretBindings = unwrapped.value as Binding[];
  });

  it('declares the Access policies and app, the KV namespace, the keys, and the Worker with its workers.dev route', () => {
    const types = dev.registered.map((resource) => resource.type).sort();
    expect(types).toEqual(
      [
        ...accessPolicies.map(() => TYPES.accessPolicy),
        TYPES.accessApplication,
        TYPES.kvNamespace,
        TYPES.workerScript,
        TYPES.workersScriptSubdomain,
        TYPES.randomBytes,
        TYPES.randomBytes,
        TYPES.randomBytes,
        TYPES.accessAppComponent,
        TYPES.mcpWorkerComponent,
        TYPES.gatewaySecretsComponent,
      ].sort(),
    );
  });

  it('names every resource <project>-<stack>-<suffix>', () => {
    expect(dev.resourcesOfType(TYPES.accessPolicy).map((policy) => policy.inputs.name)).toEqual(
      accessPolicies.map((policy) => `secure-mcp-dev-policy-${policySlug(policy.name)}`),
    );
    expect(only(dev.resourcesOfType(TYPES.accessApplication)).inputs.name).toBe('secure-mcp-dev-access');
    expect(only(dev.resourcesOfType(TYPES.kvNamespace)).inputs.title).toBe('secure-mcp-dev-oauth-kv');
    expect(only(dev.resourcesOfType(TYPES.workerScript)).inputs.scriptName).toBe('secure-mcp-dev-gateway');
    expect(only(dev.resourcesOfType(TYPES.workersScriptSubdomain)).inputs.scriptName).toBe('secure-mcp-dev-gateway');
    const names = physicalNames(dev.registered);
    expect(names.length).toBeGreaterThan(4);
    expect(names.filter((name) => !name.startsWith('secure-mcp-dev-'))).toEqual([]);
  });

  it('puts every resource in the configured account', () => {
    const cloudflare = dev.registered.filter(
      ({ type }) => type.startsWith('cloudflare:') || type === TYPES.workerScript,
    );
    expect(cloudflare.length).toBeGreaterThan(4);
    expect(cloudflare.filter(({ inputs }) => inputs.accountId !== CONFIG.accountId).map(({ name }) => name)).toEqual(
      [],
    );
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
      saasApp: {
        authType: 'oidc',
        redirectUris: [`${DEV_ORIGIN}/callback`],
        grantTypes: ['authorization_code_with_pkce', 'refresh_tokens'],
        scopes: ['openid', 'email', 'profile', 'groups'],
        allowPkceWithoutClientSecret: false,
      },
    });
  });

  it('sets the session on every Access policy, where Access applies it, and not on the SaaS app, where it does not', () => {
    for (const policy of dev.resourcesOfType(TYPES.accessPolicy)) expect(policy.inputs.sessionDuration).toBe('24h');
    expect(only(dev.resourcesOfType(TYPES.accessApplication)).inputs).not.toHaveProperty('sessionDuration');
  });

  it('binds what the Worker reads, with the Access values derived from the app, sent as secrets', () => {
    const issuer = `https://acme.cloudflareaccess.com/cdn-cgi/access/sso/oidc/${MOCK_CLIENT_ID}`;
    expect(bindings).toEqual([
      { type: 'kv_namespace', name: 'OAUTH_KV', namespace_id: 'gateway-oauth-kv-id' },
      { type: 'plain_text', name: 'PUBLIC_URL', text: DEV_ORIGIN },
      { type: 'plain_text', name: 'UPSTREAM_URL', text: CONFIG.upstreamUrl },
      { type: 'plain_text', name: 'DEFINITION_DRIFT', text: 'hide' },
      { type: 'plain_text', name: 'APPROVAL_WAIT', text: '5m' },
      { type: 'plain_text', name: 'ACCESS_GROUPS_FIELD', text: 'name' },
      { type: 'plain_text', name: 'ACCESS_NONCE', text: 'required' },
      { type: 'durable_object_namespace', name: 'TOOL_RATE_LIMITER', class_name: 'ToolRateLimiter' },
      { type: 'durable_object_namespace', name: 'APPROVAL_DESK', class_name: 'ApprovalDesk' },
    ]);
    expect(secretBindingsWereSecret).toBe(true);
    expect(secretBindings).toEqual([
      { name: 'ACCESS_ISSUER', text: issuer },
      { name: 'ACCESS_CLIENT_ID', text: MOCK_CLIENT_ID },
      { name: 'ACCESS_CLIENT_SECRET', text: expect.any(String) },
      { name: 'ACCESS_AUTHORIZATION_URL', text: `${issuer}/authorization` },
      { name: 'ACCESS_TOKEN_URL', text: `${issuer}/token` },
      { name: 'ACCESS_JWKS_URL', text: `${issuer}/jwks` },
      { name: 'COOKIE_SIGNING_KEY', text: expect.any(String) },
      { name: 'IDENTITY_SIGNING_KEY', text: expect.any(String) },
      { name: 'ADMIN_TOKEN', text: expect.any(String) },
    ]);
  });

  it('declares every binding the Worker refuses to run without', () => {
    // REQUIRED_TEXT_BINDINGS is also what the Worker's own readConfig test holds it to.
    const declared = [...bindings, ...secretBindings].map((binding) => binding.name);
    expect(REQUIRED_TEXT_BINDINGS.filter((name) => !declared.includes(name))).toEqual([]);
  });

  it('gives the Worker its own random keys of 32 bytes, one per purpose', () => {
    const keys = dev.resourcesOfType(TYPES.randomBytes);
    expect(keys.map((key) => key.inputs.length)).toEqual([32, 32, 32]);
    const cookie = secretBindings.find((binding) => binding.name === 'COOKIE_SIGNING_KEY')?.text;
    const identity = secretBindings.find((binding) => binding.name === 'IDENTITY_SIGNING_KEY')?.text;
    expect(Buffer.from(String(cookie), 'base64')).toHaveLength(32);
    expect(cookie).not.toEqual(identity);
  });

  it('outputs the operator token for offboarding as a secret, and nothing else secret in the clear', async () => {
    const admin = secretBindings.find((binding) => binding.name === 'ADMIN_TOKEN')?.text;
    expect(await pulumi.isSecret(dev.program.adminToken)).toBe(true);
    expect(await valueOf(dev.program.adminToken)).toBe(admin);
    expect(await pulumi.isSecret(pulumi.output(dev.program.accessClientId))).toBe(false);
  });

  it('builds no container when MCP traffic goes to upstreamUrl, but still counts rate limits and holds approvals in their Durable Objects', () => {
    expect(dev.resourcesOfType(TYPES.containerApplication)).toEqual([]);
    expect(
      bindings.filter((binding) => binding.type === 'durable_object_namespace').map((binding) => binding.name),
    ).toEqual(['TOOL_RATE_LIMITER', 'APPROVAL_DESK']);
    // Every class's migration, the unused container class's too (one history for every stack).
    expect(script.inputs.migrations).toEqual([
      { tag: 'v1', newSqliteClasses: ['McpContainer'] },
      { tag: 'v2', newSqliteClasses: ['ToolRateLimiter'] },
      { tag: 'v3', newSqliteClasses: ['ApprovalDesk'] },
    ]);
    expect(script.inputs.containers).toEqual([]);
  });

  it('uploads exactly the bundle buildWorker() produces, from a path named by its SHA-256', async () => {
    const bundle = await buildWorker();
    const path = script.inputs.bundlePath as string;
    const uploaded = await readFile(path, 'utf8');
    expect(uploaded).toBe(bundle.code);
    const sha256 = createHash('sha256').update(uploaded).digest('hex');
    expect(script.inputs.bundleSha256).toBe(sha256);
    expect(sha256).toBe(bundle.sha256);
    expect(path).toContain(`/upload/${sha256}/`);
    expect(script.inputs.mainModule).toBe(bundle.mainModule);
  });

  it('uploads the Worker as a script, never as a version (Cloudflare refuses versions with migrations: 10211)', () => {
    expect(dev.registered.map((resource) => resource.type)).not.toContain(
      'cloudflare:index/workerVersion:WorkerVersion',
    );
    expect(script.type).toBe(TYPES.workerScript);
  });

  it('runs the Worker with the compatibility settings and observability it is developed with', () => {
    expect(script.inputs).toMatchObject({
      compatibilityDate: '2026-11-01',
      compatibilityFlags: ['nodejs_compat', 'global_fetch_strictly_public', 'enable_request_signal'],
      observability: true,
    });
  });

  it('serves the Worker on workers.dev without preview URLs', () => {
    expect(only(dev.resourcesOfType(TYPES.workersScriptSubdomain)).inputs).toEqual({
      accountId: CONFIG.accountId,
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

const { upstreamUrl: _upstreamUrl, ...WITHOUT_UPSTREAM } = CONFIG;
const CONTAINER_CONFIG = { ...WITHOUT_UPSTREAM, containerBaseImage: `node:24-bookworm-slim@${BASE_DIGEST}` };
const REPOSITORY = `registry.cloudflare.com/${MOCK_EXTERNAL_ACCOUNT}/secure-mcp-prod-bridge`;

describe('the program with containers (stack prod)', () => {
  let prod: Awaited<ReturnType<typeof runProgram>>;
  let bindings: Binding[];
  let script: RegisteredResource;

  beforeAll(async () => {
    prod = await runProgram('prod', {
      ...CONTAINER_CONFIG,
      sessionDuration: '12h',
      containerInstanceType: 'standard-1',
      containerMaxInstances: '50',
      containerAllowedHosts: 'api.github.com',
    });
    script = only(prod.resourcesOfType(TYPES.workerScript));
    bindings = script.inputs.bindings as Binding[];
  });

  it("builds the bridge image for linux/amd64 and pushes it under the account's registry namespace with fresh credentials", () => {
    const image = only(prod.resourcesOfType(TYPES.dockerImage));
    expect(image.inputs.imageName).toMatch(new RegExp(`^${REPOSITORY}:[0-9a-f]{16}$`));
    expect(image.inputs.build).toMatchObject({ platform: 'linux/amd64' });
    const credentials = only(prod.resourcesOfType(TYPES.registryCredentials));
    expect(credentials.inputs).toMatchObject({
      accountId: CONFIG.accountId,
      registry: 'registry.cloudflare.com',
      repositoryName: 'secure-mcp-prod-bridge',
      buildDigest: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
    });
    // The tag is the build digest's first 16 hex digits: a new build is a new tag.
    expect(image.inputs.imageName).toBe(`${REPOSITORY}:${String(credentials.inputs.buildDigest).slice(7, 23)}`);
    // The password makes the whole registry block a secret.
    expect(unwrapSecretInput(image.inputs.registry)).toEqual({
      secret: true,
      value: { server: 'registry.cloudflare.com', username: 'v1', password: 'mock-registry-password' },
    });
  });

  it("builds from the repository with absolute paths, the base pinned by digest from stack config, and the Dockerfile's own ignore file", async () => {
    const build = only(prod.resourcesOfType(TYPES.dockerImage)).inputs.build as {
      context: string;
      dockerfile: string;
      args: Record<string, string>;
    };
    expect(build.args).toEqual({ NODE_IMAGE: 'node:24-bookworm-slim', NODE_IMAGE_DIGEST: BASE_DIGEST });
    // Pulumi runs the program in infra/ (main: infra/): what @pulumi/docker opens from there.
    const infra = new URL('.', import.meta.url).pathname;
    const dockerfile = resolve(infra, build.dockerfile);
    expect(isAbsolute(build.dockerfile) && isAbsolute(build.context)).toBe(true);
    expect(existsSync(dockerfile)).toBe(true);
    expect(resolve(infra, build.context)).toBe(resolve(infra, '..'));
    // The Dockerfile's own ignore file, else the context's, as @pulumi/docker looks them up: found, not missed.
    expect([resolve(infra, '../container/Dockerfile.dockerignore'), resolve(infra, '../.dockerignore')]).toContain(
      (await ignoreFileOf(build)).path,
    );
    const files = await contextFiles(build);
    expect(files).toEqual(expect.arrayContaining(['container/Dockerfile', 'container/dist/bridge.mjs'].slice(0, 1)));
    // Only what the image needs leaves the machine, never the repository (no .git, no node_modules, no .dev.vars).
    expect(files.filter((path) => !path.startsWith('container/') && path !== '.dockerignore')).toEqual([]);
  });

  it("runs that image, by digest, in a Containers application tied to the Worker's container class", async () => {
    const application = only(prod.resourcesOfType(TYPES.containerApplication));
    expect(application.inputs).toEqual({
      __provider: expect.any(String),
      accountId: CONFIG.accountId,
      name: 'secure-mcp-prod-bridge',
      image: `${REPOSITORY}@${MOCK_IMAGE_DIGEST}`,
      instanceType: 'standard-1',
      maxInstances: 50,
      durableObjects: { scriptName: 'secure-mcp-prod-gateway', className: 'McpContainer' },
      workerVersionId: MOCK_VERSION_ID,
      tiers: [1, 2],
      observability: true,
    });
    expect(await valueOf(prod.program.containerImage!)).toBe(application.inputs.image);
  });

  it('binds the container class to the Worker as MCP_CONTAINER, created by a migration, container-enabled, and sets no UPSTREAM_URL', () => {
    expect(bindings).toContainEqual({
      type: 'durable_object_namespace',
      name: 'MCP_CONTAINER',
      class_name: 'McpContainer',
    });
    expect(bindings).toContainEqual({
      type: 'durable_object_namespace',
      name: 'TOOL_RATE_LIMITER',
      class_name: 'ToolRateLimiter',
    });
    expect(script.inputs.containers).toEqual([{ name: 'secure-mcp-prod-bridge', className: 'McpContainer' }]);
    expect(script.inputs.migrations).toEqual([
      { tag: 'v1', newSqliteClasses: ['McpContainer'] },
      { tag: 'v2', newSqliteClasses: ['ToolRateLimiter'] },
      { tag: 'v3', newSqliteClasses: ['ApprovalDesk'] },
    ]);
    expect(bindings.map((binding) => binding.name)).not.toContain('UPSTREAM_URL');
  });

  it("bounds every sign-in to the stack's 12 h on the policies; the SaaS app carries no session Access would ignore", () => {
    const policies = prod.resourcesOfType(TYPES.accessPolicy);
    expect(policies.length).toBeGreaterThan(0);
    for (const policy of policies) expect(policy.inputs.sessionDuration, policy.name).toBe('12h');
    expect(only(prod.resourcesOfType(TYPES.accessApplication)).inputs).not.toHaveProperty('sessionDuration');
  });

  it('hands the container class its settings as plain_text bindings', () => {
    expect(bindings).toContainEqual({
      type: 'plain_text',
      name: 'MCP_CONTAINER_ALLOWED_HOSTS',
      text: 'api.github.com',
    });
  });

  it('declares the Access policies of the prod environment', () => {
    // Which ones; their order is the app's precedence list, tested above (registration order is not).
    const names = prod.resourcesOfType(TYPES.accessPolicy).map((policy) => String(policy.inputs.name));
    expect(new Set(names)).toEqual(
      new Set(accessPoliciesFor('prod').map((policy) => `secure-mcp-prod-policy-${policySlug(policy.name)}`)),
    );
    expect(names).toHaveLength(accessPoliciesFor('prod').length);
  });

  it("pins the stack's identity provider, and turns the contractors group rule into its selector", () => {
    const app = only(prod.resourcesOfType(TYPES.accessApplication));
    expect(app.inputs).toMatchObject({ allowedIdps: [CONFIG.identityProviderId], autoRedirectToIdentity: true });
    const contractors = prod
      .resourcesOfType(TYPES.accessPolicy)
      .find((policy) => policy.inputs.name === 'secure-mcp-prod-policy-contractors-not-in-prod');
    expect(contractors?.inputs).toMatchObject({
      decision: 'deny',
      includes: [{ okta: { name: 'contractors', identityProviderId: CONFIG.identityProviderId } }],
    });
  });

  it('keeps every secret value secret wherever it appears in the resources it declares', async () => {
    const secretValues = new Set<string>([MOCK_CLIENT_SECRET, 'mock-registry-password']);
    const keys = prod.resourcesOfType(TYPES.randomBytes);
    expect(keys).toHaveLength(3); // cookie, identity and admin keys: each must be found as a secret below
    for (const key of keys) secretValues.add(Buffer.from(key.name.padEnd(32, '#').slice(0, 32)).toString('base64'));
    const exposed = prod.registered.flatMap((resource) =>
      plainOccurrences(resource.inputs, secretValues).map((path) => `${resource.name}${path}`),
    );
    expect(exposed).toEqual([]);
    // And the check can see one: a value outside a secret wrapper is reported.
    expect(plainOccurrences({ text: MOCK_CLIENT_SECRET }, secretValues)).toEqual(['.text']);
  });
});

/** Every guardrail finding for one resource. */
function guardrailViolations(resource: GuardedResource, context: StackContext): string[] {
  return [
    everyoneInProduction,
    sessionTooLong,
    appWithoutPolicy,
    providerNotPinned,
    secretInPlainText,
    imageNotPinned,
  ].flatMap((rule) => rule(resource, context));
}

/** Every guardrail finding for a whole stack: each resource's, and the stack-wide ones. */
function stackViolations(resources: GuardedResource[], context: StackContext): string[] {
  return [
    ...resources.flatMap((resource) => guardrailViolations(resource, context)),
    ...acceptsUnpinnedProvider(resources, context),
  ];
}

/** Where in `value` one of `secrets` appears outside a Pulumi secret (paths like `.bindings[4].text`). */
function plainOccurrences(value: unknown, secrets: Set<string>, path = ''): string[] {
  if (pulumi.runtime.isRpcSecret(value)) return [];
  if (typeof value === 'string') return secrets.has(value) ? [path] : [];
  if (Array.isArray(value)) return value.flatMap((item, index) => plainOccurrences(item, secrets, `${path}[${index}]`));
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, item]) => plainOccurrences(item, secrets, `${path}.${key}`));
  }
  return [];
}

/** Pulumi inputs as a policy pack sees them: secrets unwrapped all the way down. */
function asPolicyProps(value: unknown): unknown {
  const plain = pulumi.runtime.unwrapRpcSecret(value);
  if (Array.isArray(plain)) return plain.map(asPolicyProps);
  if (plain && typeof plain === 'object')
    return Object.fromEntries(Object.entries(plain).map(([key, item]) => [key, asPolicyProps(item)]));
  return plain;
}

describe('the guardrails on what the program declares', () => {
  it.each(['dev', 'prod', 'tenant-acme'])('stack %s passes every guardrail', async (stack) => {
    const run = await runProgram(stack, { ...CONTAINER_CONFIG, sessionDuration: '12h' });
    expect(run.registered.length).toBeGreaterThan(10);
    const resources = run.registered.map((resource) => ({
      type: resource.type,
      props: asPolicyProps(resource.inputs) as Record<string, unknown>,
    }));
    expect(stackViolations(resources, { stack, production: stack !== 'dev', maxSessionDuration: '24h' })).toEqual([]);
  });

  it('would stop the prod plan if its application accepted every provider, or one beside the pinned one', async () => {
    const run = await runProgram('prod', CONTAINER_CONFIG);
    const context = { stack: 'prod', production: true, maxSessionDuration: '24h' };
    const resources = run.registered.map((resource) => ({
      type: resource.type,
      props: asPolicyProps(resource.inputs) as Record<string, unknown>,
    }));
    const withApp = (change: (props: Record<string, unknown>) => Record<string, unknown>) =>
      resources.map((resource) =>
        resource.type === TYPES.accessApplication ? { ...resource, props: change(resource.props) } : resource,
      );
    const unpinned = withApp(({ allowedIdps: _pinned, autoRedirectToIdentity: _redirect, ...props }) => props);
    expect(stackViolations(unpinned, context)).toEqual([
      expect.stringMatching(
        /accepts every identity provider on the account \(no allowedIdps\), and stack "prod" is production/,
      ),
    ]);
    const oneTimePin = '0c7a2c4e-0000-4000-8000-0000000000a1';
    const besideIt = withApp((props) => ({
      ...props,
      allowedIdps: [CONFIG.identityProviderId, oneTimePin],
      autoRedirectToIdentity: false,
    }));
    expect(stackViolations(besideIt, context)).toEqual([
      expect.stringMatching(
        new RegExp(`accepts identity provider ${oneTimePin}, which none of the stack's group rules refer to`),
      ),
    ]);
  });
});

describe('stacks side by side (dev, prod, a tenant)', () => {
  it('never share a physical name, and each name says its stack', async () => {
    const stacks = ['dev', 'prod', 'tenant-acme'];
    const names = new Map<string, string[]>();
    for (const stack of stacks) {
      const run = await runProgram(stack, CONTAINER_CONFIG);
      // A script's name also appears on its route; only names across stacks must differ.
      const stackNames = [...new Set(physicalNames(run.registered))];
      expect(stackNames.length).toBeGreaterThan(4);
      expect(stackNames.filter((name) => !name.startsWith(`secure-mcp-${stack}-`))).toEqual([]);
      names.set(stack, stackNames);
      expect(run.program.mcpUrl).toBe(`https://secure-mcp-${stack}-gateway.acme-sub.workers.dev/mcp`);
    }
    const all = [...names.values()].flat();
    expect(new Set(all).size).toBe(all.length);
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
    for (const key of ['accountId', 'accessTeamName', 'workersDevSubdomain', 'containerBaseImage']) {
      expect(message).toContain(`${key} is missing`);
    }
    await mocked.settled();
    expect(mocked.registered).toEqual([]);
  });
});
