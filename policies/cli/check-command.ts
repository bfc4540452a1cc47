/**
 * `npm run policy -- check`, the gate a policy change passes before review: every file valid,
 * every environment's Access rules expressible by its identity provider, and every policy test
 * holding, each problem at its file and line.
 */
import { readdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { readPolicyDirectory } from '../load/load-policies.ts';
import { formatProblem, type PolicyProblem } from '../load/policy-problem.ts';
import { readStackIdentityProviders, type EnvironmentProvider } from '../load/stack-identity-providers.ts';
import { IDENTITY_PROVIDER_KINDS, type IdentityProvider } from '../model/identity-provider.ts';
import { environmentsOf } from './explain-command.ts';
import { providerProblems } from './provider-check.ts';
import { runCases } from './run-cases.ts';

/** What `check` found: the problems, and a summary line for people. */
export interface CheckResult {
  ok: boolean;
  problems: PolicyProblem[];
  output: string;
}

/** Where `check` learns each environment's identity provider. */
export interface CheckOptions {
  /** The folder holding `Pulumi.yaml` and the stack files; default: the parent of the policy folder. */
  projectDir?: string;
  /** Check every environment against this provider instead (`--identity-provider`). */
  provider?: IdentityProvider;
}

/**
 * `npm run policy -- check`: validates every policy file in `dir`, checks that each
 * environment's identity provider can express its Access rules (the provider pinned in
 * `Pulumi.<environment>.yaml`, the stand-in's for `local`, or `options.provider` for all),
 * then runs the policy tests in its `cases.yaml`. Every problem carries file, line and column.
 *
 * @example
 * ```ts
 * const result = checkCommand('policies');
 * process.exitCode = result.ok ? 0 : 1;
 * console.log(result.output);
 * ```
 */
export function checkCommand(dir: string, options: CheckOptions = {}): CheckResult {
  const loaded = readPolicyDirectory(dir);
  const projectDir = options.projectDir ?? dirname(dir);
  const environments = [
    ...new Set([
      ...environmentsOf(loaded)
        .map((environment) => environment.name)
        .filter((name) => !name.startsWith('\u0000')),
      ...stackFileEnvironments(projectDir),
    ]),
  ].sort();
  let providers: Map<string, EnvironmentProvider>;
  let stackProblems: Array<{ file: string; message: string }> = [];
  if (options.provider) {
    const { provider } = options;
    providers = new Map(environments.map((name) => [name, { provider, source: '--identity-provider' }]));
  } else {
    ({ providers, problems: stackProblems } = readStackIdentityProviders(projectDir, environments));
  }
  const fileProblems =
    loaded.problems.length > 0
      ? loaded.problems
      : [
          ...stackProblems.map(({ file, message }) => ({ file, line: 1, column: 1, message })),
          ...providerProblems(loaded, providers),
        ];
  // Cases run only against valid policies: a broken file would make every row fail.
  const problems = fileProblems.length > 0 ? fileProblems : runCases(loaded);
  if (problems.length > 0) {
    return {
      ok: false,
      problems,
      output: `${problems.map(formatProblem).join('\n')}\n${problems.length} problem(s) in the policies.`,
    };
  }
  const caseCount = (loaded.cases?.signIn.length ?? 0) + (loaded.cases?.requests.length ?? 0);
  const ruleCount = loaded.tools?.rules.length ?? 0;
  const checkedAgainst = [...providers]
    .map(([environment, { provider }]) => `${environment} (${IDENTITY_PROVIDER_KINDS[provider.type].label})`)
    .join(', ');
  return {
    ok: true,
    problems,
    output:
      `policies OK: ${loaded.access?.length ?? 0} Access policies, ${ruleCount} tool rules, ${caseCount} policy tests passed.\n` +
      `Access rules checked against the identity provider of ${checkedAgainst || 'no environment (no Pulumi.<stack>.yaml found)'}.`,
  };
}

/** Stack names with a `Pulumi.<stack>.yaml` in `projectDir`. */
function stackFileEnvironments(projectDir: string): string[] {
  try {
    return readdirSync(projectDir)
      .map((name) => /^Pulumi\.([a-z0-9-]+)\.yaml$/.exec(name)?.[1])
      .filter((name): name is string => name !== undefined);
  } catch {
    return [];
  }
}
