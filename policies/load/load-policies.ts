/**
 * Reads the policy files from disk (Node only) and checks them. The Worker never runs
 * this: it gets the checked tool policies at build time (see build/policy-plugins.ts).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AccessPolicyEntry } from '../model/access-policy.ts';
import type { ToolPolicies } from '../model/tool-policy.ts';
import { checkSemantics, type Located } from './check-semantics.ts';
import { parsePolicyText } from './parse-policy-text.ts';
import { PolicyFileError, type PolicyProblem } from './policy-problem.ts';
import {
  accessFileSchema,
  casesFileSchema,
  inventoryFileSchema,
  toolsFileSchema,
  type Inventory,
  type PolicyCases,
} from './schemas.ts';

/** The folder of the shipped policies. */
export const POLICY_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The file names inside a policy folder. */
export const POLICY_FILES = {
  access: 'access.yaml',
  tools: 'tools.yaml',
  inventory: 'inventory.yaml',
  cases: 'cases.yaml',
} as const;

/** The text of each policy file, by role; absent files are `undefined`. Lets `diff` read files from git. */
export type PolicyTexts = Partial<Record<keyof typeof POLICY_FILES, string>>;

/** Checked policies, and every problem found (empty when all is well). */
export interface LoadedPolicies {
  access: AccessPolicyEntry[] | undefined;
  tools: ToolPolicies | undefined;
  inventory: Inventory | undefined;
  cases: PolicyCases | undefined;
  problems: PolicyProblem[];
  /** Where a part of a file is, for problems found later (e.g. a failing case). */
  locate(role: keyof typeof POLICY_FILES, path: PropertyKey[]): { file: string; line: number; column: number };
}

/**
 * Parses and checks policy texts (pure). `label` prefixes file names in problems.
 *
 * @example
 * ```ts
 * const loaded = checkPolicyTexts({ access: 'policies: []\n' }, 'policies');
 * loaded.problems[0]?.message; // 'policies must not be empty: nobody could sign in'
 * ```
 */
export function checkPolicyTexts(texts: PolicyTexts, label: string): LoadedPolicies {
  const problems: PolicyProblem[] = [];
  const parse = <T>(
    role: keyof typeof POLICY_FILES,
    schema: Parameters<typeof parsePolicyText>[2],
  ): Located<T> | undefined => {
    const text = texts[role];
    if (text === undefined) return undefined;
    const file = `${label}/${POLICY_FILES[role]}`;
    const parsed = parsePolicyText(text, file, schema) as Located<T>['parsed'];
    problems.push(...parsed.problems);
    return { file, parsed };
  };
  const access = parse<AccessPolicyEntry[]>('access', accessFileSchema);
  const tools = parse<ToolPolicies>('tools', toolsFileSchema);
  const inventory = parse<Inventory>('inventory', inventoryFileSchema);
  const cases = parse<PolicyCases>('cases', casesFileSchema);
  const inventoryValue = inventory?.parsed.value;
  problems.push(
    ...checkSemantics(access, tools, inventory && inventoryValue ? { ...inventory, value: inventoryValue } : undefined),
  );
  const located = { access, tools, inventory, cases };
  return {
    locate: (role, path) => {
      const file = located[role];
      return file
        ? { file: file.file, ...file.parsed.locate(path) }
        : { file: `${label}/${POLICY_FILES[role]}`, line: 1, column: 1 };
    },
    access: access?.parsed.value,
    tools: tools?.parsed.value,
    inventory: inventoryValue,
    cases: cases?.parsed.value,
    problems,
  };
}

/**
 * Reads every policy file of a folder. Access and tool policies must exist; the
 * inventory and the cases are optional.
 *
 * @example
 * ```ts
 * const loaded = readPolicyDirectory(POLICY_DIR);
 * if (loaded.problems.length) console.error(loaded.problems.map(formatProblem).join('\n'));
 * ```
 */
export function readPolicyDirectory(dir: string): LoadedPolicies {
  const texts: PolicyTexts = {};
  const missing: PolicyProblem[] = [];
  const label = relative(process.cwd(), dir) || '.';
  for (const [role, name] of Object.entries(POLICY_FILES) as [keyof typeof POLICY_FILES, string][]) {
    const path = join(dir, name);
    if (existsSync(path)) texts[role] = readFileSync(path, 'utf8');
    else if (role === 'access' || role === 'tools')
      missing.push({ file: `${label}/${name}`, line: 1, column: 1, message: 'file is missing' });
  }
  const loaded = checkPolicyTexts(texts, label);
  return { ...loaded, problems: [...missing, ...loaded.problems] };
}

/**
 * The shipped policies, checked; throws `PolicyFileError` (with file and line) when any is wrong.
 *
 * @example
 * ```ts
 * const { access, tools } = loadShippedPolicies();
 * ```
 */
export function loadShippedPolicies(dir: string = POLICY_DIR): { access: AccessPolicyEntry[]; tools: ToolPolicies } {
  const loaded = readPolicyDirectory(dir);
  if (loaded.problems.length > 0 || !loaded.access || !loaded.tools) throw new PolicyFileError(loaded.problems);
  return { access: loaded.access, tools: loaded.tools };
}
