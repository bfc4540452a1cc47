/**
 * The stdio MCP server the local stack and the tests run by default, spelled once so every caller
 * starts the same pinned server with the same Node.
 */
import { createRequire } from 'node:module';

/**
 * The default stdio MCP server of the local stack and the tests:
 * `@modelcontextprotocol/server-everything` over stdio, run by this very Node.
 *
 * @example
 * ```ts
 * await startBridge({ command: serverEverythingCommand() });
 * ```
 */
export function serverEverythingCommand(): string[] {
  const entry = createRequire(import.meta.url).resolve('@modelcontextprotocol/server-everything/dist/index.js');
  return [process.execPath, entry, 'stdio'];
}
