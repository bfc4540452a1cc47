/**
 * `npm run policy -- pin [--check] [--dir D] [-- <server command>]`: asks the stdio MCP server
 * for its definitions and writes them, pinned, to `inventory.yaml`. Without a command it runs
 * the server the image ships (`@modelcontextprotocol/server-everything` at the version the
 * lockfile pins, the same package and version as container/Dockerfile's default), so a pin
 * taken here is what the container offers. `--check` writes nothing and fails when the file
 * differs from what the server offers now (for CI, and to catch a hand-edited review text).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { serverEverythingCommand } from '../../dev/stack/server-everything.ts';
import { listServerDefinitions } from '../definitions/list-definitions.ts';
import { pinDefinitions, renderInventory } from '../definitions/render-inventory.ts';
import { POLICY_FILES } from '../load/load-policies.ts';
import type { CliResult } from './policy-cli.ts';

/**
 * Runs `pin`.
 *
 * @example
 * ```ts
 * const result = await pinCommand({ dir: 'policies', check: true, command: [] });
 * result.exitCode; // 0 when inventory.yaml matches the server
 * ```
 */
export async function pinCommand(options: { dir: string; check: boolean; command: string[] }): Promise<CliResult> {
  const command = options.command.length > 0 ? options.command : serverEverythingCommand();
  const path = join(options.dir, POLICY_FILES.inventory);
  let text: string;
  try {
    text = renderInventory(pinDefinitions(await listServerDefinitions(command)));
  } catch (error) {
    return {
      exitCode: 2,
      stdout: '',
      stderr: `cannot list the server's definitions (${command.join(' ')}): ${error instanceof Error ? error.message : String(error)}\n`,
    };
  }
  const current = await readFile(path, 'utf8').catch(() => undefined);
  if (options.check) {
    return current === text
      ? { exitCode: 0, stdout: `${path} matches what the server offers.\n`, stderr: '' }
      : {
          exitCode: 1,
          stdout: '',
          stderr: `${path} differs from what the server offers; run npm run policy -- pin and review the diff.\n`,
        };
  }
  if (current === text) return { exitCode: 0, stdout: `${path} is up to date.\n`, stderr: '' };
  await writeFile(path, text);
  return {
    exitCode: 0,
    stdout: `wrote ${path}; review it with git diff and npm run policy -- diff HEAD\n`,
    stderr: '',
  };
}
