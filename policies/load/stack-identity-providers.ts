/**
 * Which identity provider each environment pins, read from the Pulumi stack files beside the
 * policies (`Pulumi.<environment>.yaml`), so `npm run policy -- check` refuses a `group:` rule
 * the environment's provider cannot express, the same rule `infra/` would refuse at deploy.
 * Node only.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { LOCAL_ENVIRONMENT } from '../model/access-policy.ts';
import {
  IDENTITY_PROVIDER_KEYS,
  LOCAL_IDENTITY_PROVIDER,
  parseIdentityProviderSettings,
  type IdentityProvider,
} from '../model/identity-provider.ts';

/** The provider an environment pins, and where that was read. */
export interface EnvironmentProvider {
  provider: IdentityProvider;
  /** The stack file, or `the local stand-in` for `local`. */
  source: string;
}

/** What was found: a provider per environment that has one, and the stack files that could not be read. */
export interface StackProviders {
  providers: Map<string, EnvironmentProvider>;
  problems: Array<{ file: string; message: string }>;
}

/**
 * Reads the identity provider of each environment: `local` is the stand-in's default; every
 * other environment is the stack of the same name, when `Pulumi.<environment>.yaml` exists in
 * `projectDir`. An environment without a stack file is not checked against a provider.
 *
 * @example
 * ```ts
 * const { providers } = readStackIdentityProviders('/repo', ['local', 'dev', 'prod']);
 * providers.get('prod')?.provider.type; // 'okta'
 * ```
 */
export function readStackIdentityProviders(projectDir: string, environments: readonly string[]): StackProviders {
  const providers = new Map<string, EnvironmentProvider>();
  const problems: StackProviders['problems'] = [];
  const project = projectName(projectDir);
  for (const environment of environments) {
    if (environment === LOCAL_ENVIRONMENT) {
      providers.set(environment, { provider: LOCAL_IDENTITY_PROVIDER, source: 'the local stand-in' });
      continue;
    }
    const file = `Pulumi.${environment}.yaml`;
    const path = join(projectDir, file);
    if (!project || !existsSync(path)) continue;
    let config: Record<string, unknown>;
    try {
      const parsed = parse(readFileSync(path, 'utf8')) as { config?: Record<string, unknown> } | null;
      config = parsed?.config ?? {};
    } catch (error) {
      problems.push({ file, message: `not valid YAML (${(error as Error).message.split('\n')[0]})` });
      continue;
    }
    const raw: Record<string, string | undefined> = {};
    for (const key of Object.keys(IDENTITY_PROVIDER_KEYS)) {
      const value = config[`${project}:${key}`];
      if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
        raw[key] = String(value);
      else if (value !== undefined && value !== null)
        problems.push({ file, message: `${project}:${key} must be a plain value, not a list or a map` });
    }
    const found: string[] = [];
    const provider = parseIdentityProviderSettings(raw, found, { requireId: false });
    if (provider) providers.set(environment, { provider, source: file });
    problems.push(
      ...found.map((problem) => ({
        file,
        message: problem.replace(/(pulumi config (?:set|rm) \S+(?: <value>)?)/g, `$1 --stack ${environment}`),
      })),
    );
  }
  return { providers, problems };
}

function projectName(projectDir: string): string | undefined {
  const path = join(projectDir, 'Pulumi.yaml');
  if (!existsSync(path)) return undefined;
  try {
    const name = (parse(readFileSync(path, 'utf8')) as { name?: unknown } | null)?.name;
    return typeof name === 'string' ? name : undefined;
  } catch {
    return undefined;
  }
}
