/**
 * Build-time policies for the Worker, which has no filesystem: importing
 * `policies/tools.yaml` gives the checked tool policies as data, and importing
 * `policies/inventory.yaml` gives the pinned definitions' digests (`DefinitionPins`). The same check as
 * `npm run policy -- check` runs first, so a broken policy fails the build with file
 * and line instead of deploying. One plugin for esbuild (worker/build.ts) and one for
 * Vite (the Worker tests in workerd).
 */
import { dirname } from 'node:path';
import type { Plugin as EsbuildPlugin } from 'esbuild';
import { definitionPins } from '../definitions/inventory-pins.ts';
import { readPolicyDirectory } from '../load/load-policies.ts';
import { PolicyFileError } from '../load/policy-problem.ts';

const INVENTORY_FILE = /[\\/]policies[\\/]inventory\.yaml$/;
const POLICY_DATA_FILE = /[\\/]policies[\\/](tools|inventory)\.yaml$/;

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
 * The checked pins of the folder holding `inventoryFile`, as JSON text; no inventory pins nothing,
 * so every definition counts as drift (the gate's drift mode decides what that means).
 */
function compiledDefinitionPins(inventoryFile: string): string {
  const loaded = readPolicyDirectory(dirname(inventoryFile));
  if (loaded.problems.length > 0) throw new PolicyFileError(loaded.problems);
  return JSON.stringify(
    loaded.inventory ? definitionPins(loaded.inventory) : { tool: {}, resourceTemplate: {}, prompt: {} },
  );
}

/** The compiled JSON for a policy data file the Worker imports. */
function compiled(path: string): string {
  return INVENTORY_FILE.test(path) ? compiledDefinitionPins(path) : compiledToolPolicies(path);
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
      build.onLoad({ filter: POLICY_DATA_FILE }, (args) => {
        try {
          return { contents: compiled(args.path), loader: 'json', watchFiles: [args.path] };
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
      if (!POLICY_DATA_FILE.test(path)) return undefined;
      return { code: `export default ${compiled(path)};`, map: null };
    },
  };
}
