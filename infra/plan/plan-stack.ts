/**
 * A dry run of the program for one shipped stack, with no engine, no provider and no
 * account: the stack file's configuration is applied under `pulumi.runtime.setMocks`, the
 * program runs, and every resource it registers is recorded. What a reviewer without a
 * Cloudflare account reads to see what `pulumi up` would create.
 *
 * With `preview`, the run is what `pulumi preview` of a first deployment sees: nothing
 * exists, so every computed value (ids, the image digest, the Access client, the Worker's
 * version) is unknown, and each dynamic provider's `check()` is called with those unknowns as
 * the engine would call it (`dynamic-provider-calls.ts`).
 *
 * Placeholders (`REPLACE-…` values in the stack file) are replaced by stand-ins, and the plan
 * says which.
 */
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { startMockedStack } from '../pulumi-test-mocks.ts';
import { callDynamicProviders, type DynamicProviderCall } from './dynamic-provider-calls.ts';

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
  /** With `preview`: what each dynamic provider's `check()` said. */
  providerChecks: DynamicProviderCall[] | undefined;
  /** The identity providers the Access application accepts (`allowedIdps`); empty would mean every one on the account. */
  allowedIdentityProviders: string[];
}

/** Stand-ins for the placeholders of the shipped stack files. */
const STAND_INS: Record<string, string> = {
  accountId: '0123456789abcdef0123456789abcdef',
  customDomainZoneId: 'fedcba9876543210fedcba9876543210',
  identityProviderId: '00000000-0000-4000-8000-000000000000',
  containerBaseImage: `node:24-bookworm-slim@sha256:${'0'.repeat(64)}`,
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
export async function planStack(stack: string, options: { preview?: boolean } = {}): Promise<StackPlan> {
  const path = new URL(`../../Pulumi.${stack}.yaml`, import.meta.url);
  const text = await readFile(path, 'utf8').catch(() => {
    throw new Error(
      `There is no Pulumi.${stack}.yaml; shipped stacks are the Pulumi.<stack>.yaml files at the repository root.`,
    );
  });
  const { config, standIns } = stackFileConfig(text);
  const mocked = await startMockedStack(stack, config, { preview: options.preview ?? false });
  await import('../index.ts');
  await mocked.settled();
  const app = mocked.registered.find(
    ({ type }) => type === 'cloudflare:index/zeroTrustAccessApplication:ZeroTrustAccessApplication',
  );
  const allowed = app?.inputs.allowedIdps;
  return {
    stack,
    standIns,
    providerChecks: options.preview ? await callDynamicProviders(mocked.registered) : undefined,
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
  const checks = plan.providerChecks?.map((call) => {
    const unknown = call.unknownInputs.length ? ` (unknown until the update: ${call.unknownInputs.join(', ')})` : '';
    return call.failures.length === 0
      ? `  ✓ ${shortType(call.type)} ${call.name}: check() passed${unknown}`
      : `  ✗ ${shortType(call.type)} ${call.name}: ${call.failures.map((failure) => failure.reason).join('; ')}`;
  });
  return [
    plan.providerChecks
      ? `Stack ${plan.stack}: ${plan.resources.length} resources to create (a preview of a first deployment under mocks: computed values unknown; nothing was contacted)`
      : `Stack ${plan.stack}: ${plan.resources.length} resources (a mocks run; nothing was contacted)`,
    ...lines,
    ...(checks ? ['Dynamic providers, called as the engine calls them in a preview:', ...checks] : []),
    plan.allowedIdentityProviders.length > 0
      ? `The Access application accepts only identity provider ${plan.allowedIdentityProviders.join(', ')} (identityProviderId).`
      : 'The Access application accepts every identity provider on the account: the production guardrails refuse this.',
    ...(plan.standIns.length
      ? [`Placeholders stood in for: ${plan.standIns.join(', ')} (set them before pulumi up).`]
      : []),
  ].join('\n');
}

/**
 * Whether a plan found a problem a real preview would stop at (a provider's `check()` failure).
 *
 * @example
 * ```ts
 * process.exitCode = planFailed(plan) ? 1 : 0;
 * ```
 */
export function planFailed(plan: StackPlan): boolean {
  return (plan.providerChecks ?? []).some((call) => call.failures.length > 0);
}

/** `cloudflare:index/workerVersion:WorkerVersion` → `cloudflare:WorkerVersion`. */
function shortType(type: string): string {
  const [pkg, , name] = type.split(':');
  return name ? `${pkg}:${name}` : type;
}
