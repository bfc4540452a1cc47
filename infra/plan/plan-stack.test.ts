import { describe, expect, it, vi } from 'vitest';
import { planStack, renderPlan, stackFileConfig } from './plan-stack.ts';

// The bridge bundle is the container build's business; a mocks run reads nothing from it.
vi.mock('../../container/build.ts', () => ({
  buildBridge: vi.fn<typeof import('../../container/build.ts').buildBridge>(
    async () => '/mock/container/dist/bridge.mjs',
  ),
}));

describe('stackFileConfig', () => {
  it('reads the project keys and replaces marked placeholders by stand-ins, naming them', () => {
    const { config, standIns } = stackFileConfig(
      'config:\n  secure-mcp:accountId: REPLACE-WITH-YOUR-32-HEX-ACCOUNT-ID\n  secure-mcp:containerMaxInstances: "50"\n  cloudflare:apiToken: x\n',
    );
    expect(config).toEqual({ accountId: '0123456789abcdef0123456789abcdef', containerMaxInstances: '50' });
    expect(standIns).toEqual(['accountId']);
  });
});

describe('planStack', () => {
  it('lists what the tenant stack would create, every name carrying the stack', async () => {
    const plan = await planStack('tenant-acme');
    const types = plan.resources.map((resource) => resource.type);
    for (const type of [
      'cloudflare:index/zeroTrustAccessApplication:ZeroTrustAccessApplication',
      'pulumi-nodejs:dynamic/secure-mcp:WorkerScript',
      'cloudflare:index/workersScriptSubdomain:WorkersScriptSubdomain',
      'docker:index/image:Image',
      'pulumi-nodejs:dynamic/secure-mcp:ContainerApplication',
    ]) {
      expect(types).toContain(type);
    }
    const physical = plan.resources.flatMap((resource) => resource.physicalName ?? []);
    expect(physical.length).toBeGreaterThan(4);
    expect(physical.filter((name) => !name.includes('secure-mcp-tenant-acme-'))).toEqual([]);
    expect(plan.standIns).toEqual(['accountId', 'identityProviderId', 'containerBaseImage']);
    const text = renderPlan(plan);
    expect(text).toMatch(/^Stack tenant-acme: \d+ resources \(a mocks run; nothing was contacted\)/);
    expect(text).toMatch(/\+ pulumi-nodejs:WorkerScript +gateway-script +secure-mcp-tenant-acme-gateway/);
    expect(text).toMatch(/Placeholders stood in for: accountId, identityProviderId, containerBaseImage/);
    expect(plan.allowedIdentityProviders).toEqual(['00000000-0000-4000-8000-000000000000']);
    expect(text).toContain(
      'The Access application accepts only identity provider 00000000-0000-4000-8000-000000000000 (identityProviderId).',
    );
  });

  it('names the shipped stacks when asked for one that does not exist', async () => {
    await expect(planStack('staging')).rejects.toThrow(/no Pulumi.staging.yaml/);
  });
});
