/**
 * Reads the policies as a git revision holds them, without checking anything out, so `diff` can
 * compare any two commits of a repository that is in the middle of other work.
 */
import { execFileSync } from 'node:child_process';
import {
  checkPolicyTexts,
  POLICY_FILES,
  readPolicyDirectory,
  type LoadedPolicies,
  type PolicyTexts,
} from '../load/load-policies.ts';
import { join } from 'node:path';

/**
 * The policies as they were at a git revision (read with `git show`, nothing checked
 * out), or as they are in the working tree when `revision` is undefined.
 *
 * @example
 * ```ts
 * const before = readPoliciesAtRevision('/repo', 'HEAD~1');
 * ```
 */
export function readPoliciesAtRevision(repoRoot: string, revision: string | undefined): LoadedPolicies {
  if (revision === undefined) return readPolicyDirectory(join(repoRoot, 'policies'));
  execFileSync('git', ['rev-parse', '--verify', '--quiet', `${revision}^{commit}`], { cwd: repoRoot, stdio: 'pipe' });
  const texts: PolicyTexts = {};
  for (const [role, name] of Object.entries(POLICY_FILES) as [keyof typeof POLICY_FILES, string][]) {
    try {
      texts[role] = execFileSync('git', ['show', `${revision}:policies/${name}`], {
        cwd: repoRoot,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    } catch {
      // The file did not exist at that revision: nothing to compare for it.
    }
  }
  return checkPolicyTexts(texts, `${revision}:policies`);
}
