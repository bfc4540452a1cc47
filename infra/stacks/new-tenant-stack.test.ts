import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { PLACEHOLDER_BASE_IMAGE, PLACEHOLDER_IDP, renderTenantStack, type TenantValues } from './new-tenant-stack.ts';

const template = await readFile(new URL('./tenant.template.yaml', import.meta.url), 'utf8');
const values: TenantValues = {
  tenant: 'globex',
  accountId: '0123456789abcdef0123456789abcdef',
  accessTeamName: 'globex',
  workersDevSubdomain: 'globex-sub',
  identityProviderId: '5f0c8a4e-3d1b-4c6a-9e2f-7b8d9c0a1b2c',
  identityProviderType: 'azureAD',
  sessionDuration: '8h',
  containerMaxInstances: '5',
  containerBaseImage: `node:24-bookworm-slim@sha256:${'c'.repeat(64)}`,
};

describe('renderTenantStack', () => {
  it('fills the template into a tenant-<name> stack file the program accepts', () => {
    const { stack, yaml } = renderTenantStack(template, values);
    expect(stack).toBe('tenant-globex');
    expect(parseYaml(yaml)).toEqual({
      config: {
        'secure-mcp:accountId': values.accountId,
        'secure-mcp:accessTeamName': 'globex',
        'secure-mcp:workersDevSubdomain': 'globex-sub',
        'secure-mcp:sessionDuration': '8h',
        'secure-mcp:identityProviderId': values.identityProviderId,
        'secure-mcp:identityProviderType': 'azureAD',
        'secure-mcp:containerInstanceType': 'basic',
        'secure-mcp:containerMaxInstances': '5',
        'secure-mcp:containerBaseImage': values.containerBaseImage,
      },
    });
    expect(yaml).toContain('https://secure-mcp-tenant-globex-gateway.globex-sub.workers.dev');
  });

  it('refuses values the program would refuse, all at once', () => {
    expect(() =>
      renderTenantStack(template, {
        ...values,
        accessTeamName: 'globex.cloudflareaccess.com',
        sessionDuration: 'a day',
        identityProviderType: 'entra',
      }),
    ).toThrow(
      /Cannot make stack tenant-globex:\n {2}- accessTeamName .*\n {2}- sessionDuration .*\n {2}- identityProviderType is "entra"/,
    );
  });

  it('refuses a tenant name that cannot be part of a resource name', () => {
    expect(() => renderTenantStack(template, { ...values, tenant: 'Globex Corp' })).toThrow(
      /cannot be part of a Cloudflare resource name/,
    );
    expect(() => renderTenantStack(template, { ...values, tenant: 'a'.repeat(40) })).toThrow(/at most 63/);
  });

  it('lets a marked placeholder through, for the program to refuse until it is set', () => {
    expect(() => renderTenantStack(template, { ...values, identityProviderId: PLACEHOLDER_IDP })).not.toThrow();
    expect(() => renderTenantStack(template, { ...values, containerBaseImage: PLACEHOLDER_BASE_IMAGE })).not.toThrow();
  });

  it('made the shipped example, Pulumi.tenant-acme.yaml', async () => {
    const shipped = await readFile(new URL('../../Pulumi.tenant-acme.yaml', import.meta.url), 'utf8');
    const { yaml } = renderTenantStack(template, {
      tenant: 'acme',
      accountId: 'REPLACE-WITH-YOUR-32-HEX-ACCOUNT-ID',
      accessTeamName: 'acme',
      workersDevSubdomain: 'example-subdomain',
      identityProviderId: PLACEHOLDER_IDP,
      identityProviderType: 'okta',
      sessionDuration: '12h',
      containerMaxInstances: '10',
      containerBaseImage: PLACEHOLDER_BASE_IMAGE,
    });
    expect(shipped).toBe(yaml);
  });
});
