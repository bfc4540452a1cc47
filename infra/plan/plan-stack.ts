/**
 * A dry run of the program for one shipped stack, with no engine, no provider and no
 * account: the stack file's configuration is applied under `pulumi.runtime.setMocks`, the
 * program runs, and every resource it registers is recorded. What a reviewer without a
 * Cloudflare account reads to see what `pulumi up` would create.
 *
 * Placeholders (`REPLACE-…` values in the stack file) are replaced by stand-ins, and the plan
 * says which.
 */
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { startMockedStack } from '../pulumi-test-mocks.ts';

/** One resource the program would create. */
interface PlannedResource {
  /** The Pulumi type token, e.g. `cloudflare:index/workerVersion:WorkerVersion`. */
  type: string;
  /** The logical name in the stack. */
  name: string;
  /** The name Cloudflare sees (`name`, `title`, `scriptName`, `hostname` or `imageName`), when the resource has one. */
  physicalName: string | undefined;
}

export interface StackPlan {
  stack: string;
  resources: PlannedResource[];
  /** Config keys whose placeholder a stand-in replaced. */
  standIns: string[];
  /** The identity providers the Access application accepts (`allowedIdps`); empty would mean every one on the account. */
  allowedIdentityProviders: string[];
}

/** Stand-ins for the placeholders of the shipped stack files. */
const STAND_INS: Record<string, string> = {
  accountId: '0123456789abcdef0123456789abcdef',
  customDomainZoneId: 'fedcba9876543210fedcba9876543210',
  identityProviderId: '00000000-0000-4000-8000-000000000000',
};

/**
 * The configuration of a stack file (keys without the project prefix), placeholders replaced. Pure.
 *
 * @example
 * ```ts
 * stackFileConfig('config:\n  secure-mcp:accountId: REPLACE-ME\n'); // { config: { accountId: '0123…' }, standIns: ['accountId'] }
 * ```
 */
export function stackFileConfig(yamlText: string): { config: Record<string, string>; standIns: string[] } {
  const document = parseYaml(yamlText) as { config?: Record<string, unknown> } | null;
  const config: Record<string, string> = {};
  const standIns: string[] = [];
  for (const [fullKey, value] of Object.entries(document?.config ?? {})) {
    if (!fullKey.startsWith('secure-mcp:')) continue;
    const key = fullKey.slice('secure-mcp:'.length);
    const text = String(value);
    if (text.startsWith('REPLACE-') && STAND_INS[key]) {
      config[key] = STAND_INS[key];
      standIns.push(key);
    } else config[key] = text;
  }
  return { config, standIns };
}

/**
 * Runs the program for `stack` under mocks. Call it once per process (the program is a module).
 *
 * @example
 * ```ts
 * const plan = await planStack('prod');
 * plan.resources.length;
 * ```
 */
export async function planStack(stack: string): Promise<StackPlan> {
  const path = new URL(`../../Pulumi.${stack}.yaml`, import.meta.url);
  const text = await readFile(path, 'utf8').catch(() => {
    throw new Error(
      `There is no Pulumi.${stack}.yaml; shipped stacks are the Pulumi.<stack>.yaml files at the repository root.`,
    );
  });
  const { config, standIns } = stackFileConfig(text);
  const mocked = await startMockedStack(stack, config);
  await import('../index.ts');
  await mocked.settled();
  const app = mocked.registered.find(
    ({ type }) => type === 'cloudflare:index/zeroTrustAccessApplication:ZeroTrustAccessApplication',
  );
  const allowed = app?.inputs.allowedIdps;
  return {
    stack,
    standIns,
    allowedIdentityProviders: Array.isArray(allowed) ? allowed.map(String) : [],
    resources: mocked.registered.map(({ type, name, inputs }) => ({
      type,
      name,
      physicalName: [inputs.name, inputs.title, inputs.scriptName, inputs.hostname, inputs.imageName].find(
        (value): value is string => typeof value === 'string',
      ),
    })),
  };
}

/**
 * The plan as text: one line per resource, type, logical name and physical name. Pure.
 *
 * @example
 * ```ts
 * console.log(renderPlan(await planStack('dev')));
 * ```
 */
export function renderPlan(plan: StackPlan): string {
  const rows = plan.resources.map((resource) => [shortType(resource.type), resource.name, resource.physicalName ?? '']);
  const widths = [0, 1].map((column) => Math.max(...rows.map((row) => row[column]!.length)));
  const lines = rows.map((row) =>
    `  + ${row[0]!.padEnd(widths[0]!)}  ${row[1]!.padEnd(widths[1]!)}  ${row[2]}`.trimEnd(),
  );
  return [
    `Stack ${plan.stack}: ${plan.resources.length} resources (a mocks run; nothing was contacted)`,
    ...lines,
    plan.allowedIdentityProviders.length > 0
      ? `The Access application accepts only identity provider ${plan.allowedIdentityProviders.join(', ')} (identityProviderId).`
      : 'The Access application accepts every identity provider on the account: the production guardrails refuse this.',
    ...(plan.standIns.length
      ? [`Placeholders stood in for: ${plan.standIns.join(', ')} (set them before pulumi up).`]
      : []),
  ].join('\n');
}

/** `cloudflare:index/workerVersion:WorkerVersion` → `cloudflare:WorkerVersion`. */
function shortType(type: string): string {
  const [pkg, , name] = type.split(':');
  return name ? `${pkg}:${name}` : type;
}
