/**
 * A stdio MCP server that reads JSON as a lenient server would, for the whole-stack attack tests:
 * fields the way Go's `encoding/json` finds them (case-insensitively, the last match wins), and
 * roots asked of every client that declares them, as file servers do. Its tools: `echo`, `get-env`
 * (which the policy denies everyone), `list-roots` (the roots it was given), and `slow` (answers
 * only when cancelled, which it never does on its own). Each event worth proving is appended to the
 * file named by its first argument, one JSON line each.
 *
 * Run by Node itself (type stripping), so only erasable TypeScript here.
 */
import { appendFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { readAs } from '../../support/lenient-json.ts';

const eventsFile = process.argv[2];
const record = (event: object) => {
  if (eventsFile) appendFileSync(eventsFile, `${JSON.stringify(event)}\n`);
};
const send = (message: object) => process.stdout.write(`${JSON.stringify(message)}\n`);
const tools = ['echo', 'get-env', 'list-roots', 'slow'].map((name) => ({
  name,
  description: name,
  inputSchema: { type: 'object' },
}));

let wantsRoots = false;
let roots: unknown = null;
let asked = 0;

createInterface({ input: process.stdin }).on('line', (line) => {
  if (line.trim() === '') return;
  const read = (...path: string[]) => readAs(line, path, 'last-fold');
  const id = read('id') as string | number | undefined;
  const method = read('method') as string | undefined;
  if (method === undefined) {
    if (typeof id === 'string' && id.startsWith('roots-')) {
      roots = read('result', 'roots') ?? null;
      record({ event: 'roots', pid: process.pid, roots });
    }
    return;
  }
  const answer = (result: object) => send({ jsonrpc: '2.0', id, result });
  const text = (value: string) => answer({ content: [{ type: 'text', text: value }] });
  switch (method) {
    case 'initialize':
      wantsRoots = read('params', 'capabilities', 'roots') !== undefined;
      record({ event: 'initialize', pid: process.pid, capabilities: read('params', 'capabilities') });
      answer({
        protocolVersion: read('params', 'protocolVersion') ?? '2025-06-18',
        capabilities: { tools: {} },
        serverInfo: { name: 'lenient', version: '1' },
      });
      return;
    case 'notifications/initialized':
      if (wantsRoots) send({ jsonrpc: '2.0', id: `roots-${++asked}`, method: 'roots/list' });
      return;
    case 'notifications/cancelled':
      record({ event: 'cancelled', pid: process.pid, requestId: read('params', 'requestId') });
      return;
    case 'ping':
      answer({});
      return;
    case 'tools/list':
      answer({ tools });
      return;
    case 'tools/call': {
      const name = read('params', 'name');
      record({ event: 'call', pid: process.pid, name });
      if (name === 'echo') text(`echo: ${String(read('params', 'arguments', 'message'))}`);
      else if (name === 'get-env') text('ENVIRONMENT: SECRET=hunter2');
      else if (name === 'list-roots') text(JSON.stringify(roots));
      else if (name === 'slow') record({ event: 'slow-started', pid: process.pid, id });
      else send({ jsonrpc: '2.0', id, error: { code: -32602, message: `no tool ${String(name)}` } });
      return;
    }
    default:
      if (id !== undefined) send({ jsonrpc: '2.0', id, error: { code: -32601, message: `no method ${method}` } });
  }
});
process.stdin.on('end', () => {
  record({ event: 'exit', pid: process.pid });
  process.exit(0);
});
process.on('SIGTERM', () => {
  record({ event: 'exit', pid: process.pid });
  process.exit(0);
});
