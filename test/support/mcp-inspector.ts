/**
 * How the tests start MCP Inspector (the version package.json pins), in its web mode or its CLI:
 * its launcher script, and a HOME of the test's own, since the Inspector keeps its server catalog
 * and secrets there and must never read or write a developer's.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';

/** The Inspector's launcher (`mcp-inspector`), run with `node`. */
export const INSPECTOR_LAUNCHER = join(
  createRequire(import.meta.url).resolve('@modelcontextprotocol/inspector/package.json'),
  '..',
  'clients',
  'launcher',
  'build',
  'index.js',
);

/**
 * The environment that keeps the Inspector inside `home` (a throwaway folder).
 *
 * @example
 * ```ts
 * spawn(process.execPath, [INSPECTOR_LAUNCHER, '--web'], { env: { ...process.env, ...inspectorHomeEnv(home) } });
 * ```
 */
export function inspectorHomeEnv(home: string): { HOME: string; MCP_CATALOG_PATH: string } {
  return { HOME: home, MCP_CATALOG_PATH: join(home, 'mcp.json') };
}
