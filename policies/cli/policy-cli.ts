/**
 * `npm run policy -- <command>`: check, explain and diff the policies in `policies/`.
 *
 *   check [--dir D] [--identity-provider T [--identity-provider-claims c1,c2]]
 *                                            validate the files, check each environment's identity
 *                                            provider can express its Access rules, run the policy tests
 *   explain --email E [--groups g1,g2]       what one person may do, and by which rule
 *   diff <rev-a> [<rev-b>] [--email E --groups g1,g2] [--fail-on-widen] [--format markdown|text]
 *                                            who gains or loses what between two git revisions
 *                                            (<rev-b> absent: the working tree), and which
 *                                            pinned definitions changed
 *   pin [--check] [--dir D] [-- <server command>]
 *                                            pin the server's definitions in inventory.yaml
 *
 * Exit codes: 0 fine; 1 check failed, or diff widened access with --fail-on-widen; 2 usage or unreadable policies.
 */
import { execFileSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { POLICY_DIR, readPolicyDirectory, type LoadedPolicies } from '../load/load-policies.ts';
import { formatProblem } from '../load/policy-problem.ts';
import { checkCommand } from './check-command.ts';
import { diffPolicies, renderDiff } from './diff-policies.ts';
import { explainCommand } from './explain-command.ts';
import { pinCommand } from './pin-command.ts';
import { parseIdentityProviderSettings, type IdentityProvider } from '../model/identity-provider.ts';
import { readPoliciesAtRevision } from './read-policies-at-revision.ts';

/** What a command printed and how the process should exit; `runPolicyCli` does no process I/O itself. */
export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

const USAGE = `usage: npm run policy -- check [--dir policies] [--identity-provider okta|azureAD|google-apps|google|github|saml|oidc|onetimepin [--identity-provider-claims groups,…]]
       npm run policy -- explain --email alice@example.com [--groups engineering,oncall]
       npm run policy -- diff <rev-a> [<rev-b>] [--email E --groups g1,g2] [--fail-on-widen] [--format markdown|text]
       npm run policy -- pin [--check] [--dir policies] [-- <stdio server command>]`;

/**
 * Runs one CLI command. `cwd` is where git runs for `diff` (any folder of the repository).
 *
 * @example
 * ```ts
 * const result = runPolicyCli(['diff', 'HEAD~1', 'HEAD', '--fail-on-widen'], process.cwd());
 * process.stdout.write(result.stdout);
 * process.exitCode = result.exitCode;
 * ```
 */
export function runPolicyCli(argv: string[], cwd: string): CliResult {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        dir: { type: 'string' },
        email: { type: 'string', multiple: true },
        groups: { type: 'string', multiple: true },
        'fail-on-widen': { type: 'boolean' },
        'identity-provider': { type: 'string' },
        'identity-provider-claims': { type: 'string' },
        'identity-provider-groups-claim': { type: 'string' },
        format: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    return usage(error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  const [command, ...revisions] = positionals;
  if (values.help || !command) return { exitCode: command || values.help ? 0 : 2, stdout: `${USAGE}\n`, stderr: '' };

  const people = (values.email ?? []).map((email, index) => ({ email, groups: splitGroups(values.groups?.[index]) }));

  switch (command) {
    case 'check': {
      let provider: IdentityProvider | undefined;
      if (values['identity-provider']) {
        const problems: string[] = [];
        provider = parseIdentityProviderSettings(
          {
            identityProviderType: values['identity-provider'],
            identityProviderClaims: values['identity-provider-claims'],
            identityProviderGroupsClaim: values['identity-provider-groups-claim'],
          },
          problems,
          { requireId: false },
        );
        if (!provider)
          return usage(
            problems
              .map((problem) =>
                problem
                  .replace(/\. (Set|Remove) it: pulumi config .*$/, '.')
                  .replace(/identityProvider(\w*)/g, flagName),
              )
              .join('\n'),
          );
      }
      const result = checkCommand(values.dir ?? POLICY_DIR, { provider });
      return result.ok
        ? { exitCode: 0, stdout: `${result.output}\n`, stderr: '' }
        : { exitCode: 1, stdout: '', stderr: `${result.output}\n` };
    }
    case 'explain': {
      if (people.length !== 1) return usage('explain needs exactly one --email');
      const loaded = readPolicyDirectory(values.dir ?? POLICY_DIR);
      if (loaded.problems.length > 0) return unreadable(loaded, 'the working tree');
      return { exitCode: 0, stdout: `${explainCommand(loaded, people[0]!)}\n`, stderr: '' };
    }
    case 'diff': {
      if (revisions.length < 1 || revisions.length > 2) return usage('diff needs one or two git revisions');
      const format = values.format ?? 'text';
      if (format !== 'markdown' && format !== 'text') return usage(`--format must be markdown or text, got ${format}`);
      let root: string;
      let before: LoadedPolicies;
      let after: LoadedPolicies;
      try {
        root = execFileSync('git', ['rev-parse', '--show-toplevel'], {
          cwd,
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'pipe'],
        }).trim();
        before = readPoliciesAtRevision(root, revisions[0]);
        after = readPoliciesAtRevision(root, revisions[1]);
      } catch (error) {
        return {
          exitCode: 2,
          stdout: '',
          stderr: `cannot read the policies: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}\n`,
        };
      }
      if (before.problems.length > 0) return unreadable(before, revisions[0]!);
      if (after.problems.length > 0) return unreadable(after, revisions[1] ?? 'the working tree');
      const diff = diffPolicies(before, after, people);
      const widened = [
        ...diff.signIn,
        ...diff.use,
        ...(diff.unlistedMethods ? [diff.unlistedMethods] : []),
        ...diff.definitions,
      ].some((row) => row.widened);
      const notes = [
        ...missingFiles(before, revisions[0]!),
        ...missingFiles(after, revisions[1] ?? 'the working tree'),
      ];
      const output = renderDiff(diff, revisions[0]!, revisions[1] ?? 'the working tree', format, notes);
      return { exitCode: widened && values['fail-on-widen'] ? 1 : 0, stdout: `${output}\n`, stderr: '' };
    }
    default:
      return usage(`unknown command "${command}"`);
  }
}

/**
 * `pin` spawns the server, so it is the one asynchronous command.
 *
 * @example
 * ```ts
 * const result = await runPinCli(['--check']);
 * ```
 */
export async function runPinCli(argv: string[]): Promise<CliResult> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { dir: { type: 'string' }, check: { type: 'boolean' } },
    });
  } catch (error) {
    return usage(error instanceof Error ? error.message : String(error));
  }
  return pinCommand({
    dir: parsed.values.dir ?? POLICY_DIR,
    check: parsed.values.check ?? false,
    command: parsed.positionals,
  });
}

/** Notes for a side that lacks a policy file: its rows compare against nothing. */
function missingFiles(loaded: LoadedPolicies, where: string): string[] {
  const notes: string[] = [];
  if (!loaded.access) notes.push(`${where} has no policies/access.yaml: everyone counts as refused there.`);
  if (!loaded.tools) notes.push(`${where} has no policies/tools.yaml: tool permissions are not compared.`);
  return notes;
}

/** `identityProviderClaims` in a problem sentence, as the flag a person typed. */
function flagName(_key: string, rest: string): string {
  if (rest === 'Type') return '--identity-provider';
  return `--identity-provider${rest.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`;
}

function splitGroups(groups: string | undefined): string[] {
  return (groups ?? '')
    .split(',')
    .map((group) => group.trim())
    .filter((group) => group.length > 0);
}

function usage(problem: string): CliResult {
  return { exitCode: 2, stdout: '', stderr: `${problem}\n${USAGE}\n` };
}

function unreadable(loaded: LoadedPolicies, where: string): CliResult {
  return {
    exitCode: 2,
    stdout: '',
    stderr: `the policies in ${where} are invalid:\n${loaded.problems.map(formatProblem).join('\n')}\n`,
  };
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  const argv = process.argv.slice(2);
  const result = argv[0] === 'pin' ? await runPinCli(argv.slice(1)) : runPolicyCli(argv, process.cwd());
  process.stdout.write(result.stdout);
  process.stderr.write(result.stderr);
  process.exitCode = result.exitCode;
}
