/**
 * Throwaway copies of the shipped policies for the policy CLI's tests (a git repository, or a
 * plain folder): `diff` reads real revisions and `pin` and `check` work on real files, never on
 * the checkout's own.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { POLICY_DIR, POLICY_FILES } from '../../policies/load/load-policies.ts';

/** The repository and what a test does with it. */
export interface ScratchPolicyRepo {
  /** The repository's folder (the CLI's working directory for `diff` and `explain`). */
  root: string;
  /** Its `policies/` folder. */
  policiesDir: string;
  /** The path of one policy file, e.g. `tools.yaml`. */
  policyFile(name: string): string;
  /** Commits every change, as a pull request's commit would. */
  commitAll(message: string): void;
  remove(): void;
}

/**
 * Makes the repository with the shipped policies as its first commit.
 *
 * @example
 * ```ts
 * const repo = scratchPolicyRepo('secure-mcp-policy-cli-');
 * writeFileSync(repo.policyFile('tools.yaml'), widened);
 * repo.commitAll('support may run long operations');
 * runPolicyCli(['diff', 'HEAD~1', 'HEAD'], repo.root);
 * ```
 */
export function scratchPolicyRepo(prefix: string): ScratchPolicyRepo {
  const root = mkdtempSync(join(tmpdir(), prefix));
  const policiesDir = join(root, 'policies');
  const git = (...args: string[]) =>
    execFileSync(
      'git',
      ['-c', 'user.name=test', '-c', 'user.email=test@example.com', '-c', 'commit.gpgsign=false', ...args],
      { cwd: root, stdio: 'pipe' },
    );
  const repo: ScratchPolicyRepo = {
    root,
    policiesDir,
    policyFile: (name) => join(policiesDir, name),
    commitAll(message) {
      git('add', '-A');
      git('commit', '-q', '-m', message);
    },
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
  copyShippedPolicies(policiesDir);
  git('init', '-q');
  repo.commitAll('shipped policies');
  return repo;
}

/**
 * Copies the shipped policy files into `folder` (made if missing), for a test that edits them.
 *
 * @example
 * ```ts
 * copyShippedPolicies(join(project, 'policies'));
 * ```
 */
export function copyShippedPolicies(folder: string): void {
  mkdirSync(folder, { recursive: true });
  for (const name of Object.values(POLICY_FILES)) copyFileSync(join(POLICY_DIR, name), join(folder, name));
}
