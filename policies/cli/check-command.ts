import { readPolicyDirectory } from '../load/load-policies.ts';
import { formatProblem, type PolicyProblem } from '../load/policy-problem.ts';
import { runCases } from './run-cases.ts';

/** What `check` found: the problems, and a summary line for people. */
export interface CheckResult {
  ok: boolean;
  problems: PolicyProblem[];
  output: string;
}

/**
 * `npm run policy -- check`: validates every policy file in `dir`, then runs the
 * policy tests in its `cases.yaml`. Every problem carries file, line and column.
 *
 * @example
 * ```ts
 * const result = checkCommand('policies');
 * process.exitCode = result.ok ? 0 : 1;
 * console.log(result.output);
 * ```
 */
export function checkCommand(dir: string): CheckResult {
  const loaded = readPolicyDirectory(dir);
  // Cases run only against valid policies: a broken file would make every row fail.
  const problems = loaded.problems.length > 0 ? loaded.problems : runCases(loaded);
  if (problems.length > 0) {
    return {
      ok: false,
      problems,
      output: `${problems.map(formatProblem).join('\n')}\n${problems.length} problem(s) in the policies.`,
    };
  }
  const caseCount = (loaded.cases?.signIn.length ?? 0) + (loaded.cases?.requests.length ?? 0);
  const ruleCount = loaded.tools?.rules.length ?? 0;
  return {
    ok: true,
    problems,
    output: `policies OK: ${loaded.access?.length ?? 0} Access policies, ${ruleCount} tool rules, ${caseCount} policy tests passed.`,
  };
}
