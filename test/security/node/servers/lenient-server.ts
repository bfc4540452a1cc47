/**
 * A stdio MCP server that reads JSON as a lenient server would, for the whole-stack attack tests.
 * It runs the real `@modelcontextprotocol/server-everything` (so its definitions are the pinned
 * ones, docs/policies.md) and puts a lenient decoder in front of it: each message from the client
 * is read the way Go's `encoding/json` finds fields (case-insensitively, the last match wins) and
 * handed on as read. So `{"name":"echo","Name":"get-env"}` runs `get-env`, as it would on such a
 * server. server-everything asks every client that declares roots for them, as file servers do.
 *
 * Each event worth proving is appended to the file named by its first argument, one JSON line
 * each: `initialize` (the capabilities the client declared), `call` (the tool run), `roots` (a
 * roots answer the client sent), `exit`.
 *
 * Run by Node itself (type stripping), so only erasable TypeScript here.
 */
import { spawn } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import { readAs } from '../../support/lenient-json.ts';

const eventsFile = process.argv[2];
const record = (event: object) => {
  if (eventsFile) appendFileSync(eventsFile, `${JSON.stringify({ ...event, pid: process.pid })}\n`);
};
const serverEverything = createRequire(import.meta.url).resolve(
  '@modelcontextprotocol/server-everything/dist/index.js',
);
const child = spawn(process.execPath, [serverEverything, 'stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
child.stdout.pipe(process.stdout);
child.on('exit', () => {
  record({ event: 'exit' });
  process.exit(0);
});

/** The message as a lenient server reads it: the fields it knows, each found case-insensitively, last match winning. */
function leniently(line: string): Record<string, unknown> {
  const read = (...path: string[]) => readAs(line, path, 'last-fold');
  const message: Record<string, unknown> = { jsonrpc: '2.0' };
  for (const field of ['id', 'method', 'params', 'result', 'error']) {
    const value = read(field);
    if (value !== undefined) message[field] = value;
  }
  const method = read('method');
  if (method === 'tools/call') message.params = { ...(read('params') as object), name: read('params', 'name') };
  if (method === 'initialize')
    message.params = { ...(read('params') as object), capabilities: read('params', 'capabilities') };
  return message;
}

createInterface({ input: process.stdin }).on('line', (line) => {
  if (line.trim() === '') return;
  let message: Record<string, unknown>;
  try {
    message = leniently(line);
  } catch {
    child.stdin.write(`${line}\n`);
    return;
  }
  const params = (message.params ?? {}) as Record<string, unknown>;
  if (message.method === 'initialize') record({ event: 'initialize', capabilities: params.capabilities });
  if (message.method === 'tools/call') record({ event: 'call', name: params.name });
  const result = message.result as Record<string, unknown> | undefined;
  if (result && 'roots' in result) record({ event: 'roots', roots: result.roots });
  child.stdin.write(`${JSON.stringify(message)}\n`);
});
process.stdin.on('end', () => child.stdin.end());
process.on('SIGTERM', () => child.kill('SIGTERM'));
