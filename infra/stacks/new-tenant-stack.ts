/**
 * `npm run infra:new-tenant -- <tenant> --account-id <id> --team <team> --subdomain <sub> [...]`:
 * writes `Pulumi.tenant-<tenant>.yaml` from `infra/stacks/tenant.template.yaml`, after checking
 * the values with the same rules the program applies at `pulumi up`, and prints the commands
 * that create the stack. It never overwrites a stack file and never handles a secret.
 *
 * Options: `--account-id`, `--team`, `--subdomain` (required), `--idp <uuid>`,
 * `--idp-type <kind>` (default okta), `--session <duration>` (default 12h),
 * `--max-instances <n>` (default 10).
 */
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { parseStackConfig, StackConfigError } from '../config.ts';
import { physicalNameFor } from '../naming.ts';

/** The values a tenant stack is made from. */
export interface TenantValues {
  /** The tenant's short name: lowercase letters, digits, hyphens. The stack is `tenant-<tenant>`. */
  tenant: string;
  accountId: string;
  accessTeamName: string;
  workersDevSubdomain: string;
  identityProviderId: string;
  /** The kind of that provider (`okta`, `azureAD`, …; see `policies/model/identity-provider.ts`). */
  identityProviderType: string;
  sessionDuration: string;
  containerMaxInstances: string;
  /** The bridge image's base, pinned by digest (or {@link PLACEHOLDER_BASE_IMAGE}). */
  containerBaseImage: string;
}

/** A placeholder for a value not known yet: the stack file can hold it, the program refuses to run with it. */
export const PLACEHOLDER_IDP = 'REPLACE-WITH-YOUR-IDENTITY-PROVIDER-ID';
/** The base image placeholder: the digest is looked up where a registry is reachable (docs/deploy.md, step 3). */
export const PLACEHOLDER_BASE_IMAGE = 'REPLACE-WITH-node:24-bookworm-slim@sha256:<digest>';

/**
 * The stack file for a tenant. Pure; checks the stack name and (placeholders aside) the values.
 *
 * @throws Error naming every wrong value.
 *
 * @example
 * ```ts
 * const { stack, yaml } = renderTenantStack(template, { tenant: 'acme', accountId, accessTeamName: 'acme', ... });
 * stack; // 'tenant-acme'
 * ```
 */
export function renderTenantStack(template: string, values: TenantValues): { stack: string; yaml: string } {
  const stack = `tenant-${values.tenant}`;
  // Every physical name must fit; the longest suffix the program uses is checked here, early.
  physicalNameFor('secure-mcp', stack, 'oauth-kv');
  const problems = configProblems(values);
  if (problems.length > 0)
    throw new Error(`Cannot make stack ${stack}:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
  const yaml = template.replace(/\{\{(\w+)\}\}/g, (_, key: string) => {
    const value = values[key as keyof TenantValues];
    if (value === undefined) throw new Error(`The tenant template uses {{${key}}}, which has no value.`);
    return value;
  });
  return { stack, yaml };
}

/** What the program would say about these values, except about marked placeholders (filled in later). */
function configProblems(values: TenantValues): readonly string[] {
  try {
    parseStackConfig({
      accountId: values.accountId,
      accessTeamName: values.accessTeamName,
      workersDevSubdomain: values.workersDevSubdomain,
      sessionDuration: values.sessionDuration,
      containerMaxInstances: values.containerMaxInstances,
      containerBaseImage: values.containerBaseImage,
      identityProviderId: values.identityProviderId,
      identityProviderType: values.identityProviderType,
    });
    return [];
  } catch (error) {
    if (error instanceof StackConfigError)
      return error.problems.filter((problem) => !/^\w+ is "REPLACE-/.test(problem));
    throw error;
  }
}

async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      'account-id': { type: 'string' },
      team: { type: 'string' },
      subdomain: { type: 'string' },
      idp: { type: 'string', default: PLACEHOLDER_IDP },
      'idp-type': { type: 'string', default: 'okta' },
      session: { type: 'string', default: '12h' },
      'max-instances': { type: 'string', default: '10' },
      'base-image': { type: 'string', default: PLACEHOLDER_BASE_IMAGE },
    },
  });
  const [tenant] = positionals;
  if (!tenant || positionals.length > 1 || !values['account-id'] || !values.team || !values.subdomain) {
    throw new Error(
      'Usage: npm run infra:new-tenant -- <tenant> --account-id <32 hex> --team <access team> --subdomain <workers.dev subdomain> ' +
        '[--idp <uuid>] [--idp-type okta|azureAD|google-apps|google|github|saml|oidc|onetimepin] [--session 12h] [--max-instances 10] [--base-image <image>@sha256:<digest>]',
    );
  }
  const template = await readFile(new URL('./tenant.template.yaml', import.meta.url), 'utf8');
  const { stack, yaml } = renderTenantStack(template, {
    tenant,
    accountId: values['account-id'],
    accessTeamName: values.team,
    workersDevSubdomain: values.subdomain,
    identityProviderId: values.idp,
    identityProviderType: values['idp-type'],
    sessionDuration: values.session,
    containerMaxInstances: values['max-instances'],
    containerBaseImage: values['base-image'],
  });
  const path = new URL(`../../Pulumi.${stack}.yaml`, import.meta.url);
  if (existsSync(path)) throw new Error(`Pulumi.${stack}.yaml exists already; it was not changed.`);
  await writeFile(path, yaml);
  console.log(`Wrote Pulumi.${stack}.yaml. Next:`);
  console.log(`  pulumi stack init ${stack}`);
  if (values.idp === PLACEHOLDER_IDP)
    console.log(`  pulumi config set identityProviderId <uuid> --stack ${stack}   # the tenant's identity provider`);
  if (values['base-image'] === PLACEHOLDER_BASE_IMAGE)
    console.log(
      `  pulumi config set containerBaseImage node:24-bookworm-slim@sha256:<digest> --stack ${stack}   # docs/deploy.md, step 3`,
    );
  console.log(`  pulumi config set --secret cloudflare:apiToken --stack ${stack}   # or CLOUDFLARE_API_TOKEN`);
  console.log(`  pulumi up --stack ${stack}`);
  console.log(
    `Add "${stack}" to the environments of the Access policies in policies/access.yaml that should apply to it.`,
  );
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
