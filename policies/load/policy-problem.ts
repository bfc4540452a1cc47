/** One thing wrong in a policy file, where it is, in words a reviewer can act on. */
export interface PolicyProblem {
  /** The file as the reviewer knows it, e.g. `policies/tools.yaml`. */
  file: string;
  /** 1-based line and column. */
  line: number;
  column: number;
  message: string;
}

/**
 * `file:line:column: message`, the shape editors and CI annotations understand.
 *
 * @example
 * ```ts
 * formatProblem({ file: 'policies/tools.yaml', line: 4, column: 5, message: 'effect must be allow or deny' });
 * // 'policies/tools.yaml:4:5: effect must be allow or deny'
 * ```
 */
export function formatProblem(problem: PolicyProblem): string {
  return `${problem.file}:${problem.line}:${problem.column}: ${problem.message}`;
}

/** Thrown when policy files are invalid; carries every problem, not just the first. */
export class PolicyFileError extends Error {
  constructor(readonly problems: PolicyProblem[]) {
    super(`invalid policy files:\n${problems.map(formatProblem).join('\n')}`);
    this.name = 'PolicyFileError';
  }
}
