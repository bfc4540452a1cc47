/**
 * Build-time policies for the Worker, which has no filesystem: importing
 * `policies/tools.yaml` gives the checked tool policies as data. The same check as
 * `npm run policy -- check` runs first, so a broken policy fails the build with file
 * and line instead of deploying. One plugin for esbuild (worker/build.ts) and one for
 * Vite (the Worker tests in workerd).
 */
import { dirname } from 'node:path';
import type { Plugin as EsbuildPlugin } from 'esbuild';
import { readPolicyDirectory } from '../load/load-policies.ts';
import { PolicyFileError } from '../load/policy-problem.ts';

const TOOL_POLICY_FILE = /[\\/]policies[\\/]tools\.yaml$/;

/**
 * The checked tool policies of the folder holding `toolsFile`, as JSON text.
 *
 * @example
 * ```ts
 * compiledToolPolicies('/repo/policies/tools.yaml'); // '{"unlistedMethods":"deny","rules":[…]}'
 * ```
 */
function compiledToolPolicies(toolsFile: string): string {
  const loaded = readPolicyDirectory(dirname(toolsFile));
  if (loaded.problems.length > 0 || !loaded.tools) throw new PolicyFileError(loaded.problems);
  return JSON.stringify(loaded.tools);
}

/**
 * esbuild: `import toolPolicies from '…/policies/tools.yaml'` becomes the checked JSON.
 *
 * @example
 * ```ts
 * await build({ entryPoints: ['worker/src/index.ts'], plugins: [esbuildPolicyPlugin()] });
 * ```
 */
export function esbuildPolicyPlugin(): EsbuildPlugin {
  return {
    name: 'secure-mcp-policies',
    setup(build) {
      build.onLoad({ filter: TOOL_POLICY_FILE }, (args) => {
        try {
          return { contents: compiledToolPolicies(args.path), loader: 'json', watchFiles: [args.path] };
        } catch (error) {
          return { errors: [{ text: error instanceof Error ? error.message : String(error) }] };
        }
      });
    },
  };
}

/**
 * Vite (vitest in workerd): the same transform, for the Worker's tests.
 *
 * @example
 * ```ts
 * { plugins: [vitePolicyPlugin(), cloudflareTest({ … })] }
 * ```
 */
export function vitePolicyPlugin(): {
  name: string;
  enforce: 'pre';
  transform(code: string, id: string): { code: string; map: null } | undefined;
} {
  return {
    name: 'secure-mcp-policies',
    enforce: 'pre',
    transform(_code, id) {
      const path = id.split('?')[0]!;
      if (!TOOL_POLICY_FILE.test(path)) return undefined;
      return { code: `export default ${compiledToolPolicies(path)};`, map: null };
    },
  };
}
