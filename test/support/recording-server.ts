/**
 * A stdio MCP server that records every message it receives: the real
 * `@modelcontextprotocol/server-everything` (whose tools policies/tools.yaml names) behind a small
 * relay that appends each line from the bridge to a file before passing it on. A test reads the
 * file to see exactly what reached the server, and when: the approvals e2e shows that a call
 * waiting for approval never reached it before it was approved.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';

const script = `
const { spawn } = require('node:child_process');
const { appendFileSync } = require('node:fs');
const readline = require('node:readline');
const [entry, log] = process.argv.slice(1);
const child = spawn(process.execPath, [entry, 'stdio'], { stdio: ['pipe', 'inherit', 'inherit'] });
readline.createInterface({ input: process.stdin }).on('line', (line) => {
  appendFileSync(log, line + '\\n');
  child.stdin.write(line + '\\n');
});
child.on('exit', (code) => process.exit(code ?? 0));
process.stdin.on('end', () => child.stdin.end());
`;

/**
 * The command that runs the recording server, appending to `logFile` (for the local stack's `serverCommand`).
 *
 * @example
 * ```ts
 * const stack = await startPrivateStack({ serverCommand: recordingServerCommand(logFile) });
 * ```
 */
export function recordingServerCommand(logFile: string): string[] {
  const entry = createRequire(import.meta.url).resolve('@modelcontextprotocol/server-everything/dist/index.js');
  return [process.execPath, '-e', script, entry, logFile];
}

/**
 * The `tools/call` requests the recording server received for `tool`, in order.
 *
 * @example
 * ```ts
 * expect(await callsReceived(logFile, 'trigger-long-running-operation')).toHaveLength(0);
 * ```
 */
export async function callsReceived(logFile: string, tool: string): Promise<Array<Record<string, unknown>>> {
  const text = await readFile(logFile, 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { method?: string; params?: { name?: string } })
    .filter((message) => message.method === 'tools/call' && message.params?.name === tool);
}
