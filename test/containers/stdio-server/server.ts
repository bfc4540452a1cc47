/**
 * A stdio MCP server for the real-container tests, with no dependencies: bundled and installed
 * into the image as `MCP_SERVER_PACKAGE` from a tarball the tests serve on loopback
 * (test/containers/engine-setup.ts). Newline-delimited JSON-RPC on stdin and stdout, as the MCP
 * stdio transport has it. Tools:
 * - `echo {message}`: "Echo: <message>", like server-everything's;
 * - `whoami`: uid, gid, groups, capabilities, no_new_privs, pid, cwd, HOME;
 * - `crash {code}`: exits at once, without answering;
 * - `slow {ms}`: answers after `ms` milliseconds (and says so on stderr when it starts);
 * - `http_get {url, connect, host, servername}`: one HTTP(S) GET, to `connect` with Host `host` and
 *   TLS server name `servername` when given;
 * - `tcp_send {connect, port, data}`: raw bytes on a TCP connection, and what comes back;
 * - `probe_identity_key {needles}`: every way to find the bridge's key (probe-identity-key.ts).
 */
import { readFileSync } from 'node:fs';
import { request, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import { probeIdentityKey } from './probe-identity-key.ts';

type Arguments = Record<string, unknown>;
interface ToolResult {
  content: Array<{ type: 'text'; text: string }>;
  isError?: boolean;
}

const tools = [
  { name: 'echo', inputSchema: { type: 'object', properties: { message: { type: 'string' } }, required: ['message'] } },
  { name: 'whoami', inputSchema: { type: 'object', properties: {} } },
  { name: 'crash', inputSchema: { type: 'object', properties: { code: { type: 'number' } } } },
  { name: 'slow', inputSchema: { type: 'object', properties: { ms: { type: 'number' } }, required: ['ms'] } },
  {
    name: 'http_get',
    inputSchema: {
      type: 'object',
      properties: {
        url: { type: 'string' },
        connect: { type: 'string' },
        host: { type: 'string' },
        servername: { type: 'string' },
      },
      required: ['url'],
    },
  },
  {
    name: 'tcp_send',
    inputSchema: {
      type: 'object',
      properties: { connect: { type: 'string' }, port: { type: 'number' }, data: { type: 'string' } },
      required: ['connect', 'port', 'data'],
    },
  },
  {
    name: 'probe_identity_key',
    inputSchema: { type: 'object', properties: { needles: { type: 'array', items: { type: 'string' } } } },
  },
].map((tool) => ({ description: `container test tool ${tool.name}`, ...tool }));

const text = (value: unknown): ToolResult => ({
  content: [{ type: 'text', text: typeof value === 'string' ? value : JSON.stringify(value) }],
});
const errorCode = (error: unknown) => (error as NodeJS.ErrnoException).code ?? (error as Error).message;

function whoami(): Record<string, unknown> {
  const status = readFileSync('/proc/self/status', 'utf8');
  const field = (name: string) => new RegExp(`^${name}:[ \\t]*(.*)$`, 'm').exec(status)?.[1]?.trim();
  return {
    uid: process.getuid?.(),
    gid: process.getgid?.(),
    groups: process.getgroups?.(),
    uids: field('Uid'),
    capEff: field('CapEff'),
    capPrm: field('CapPrm'),
    noNewPrivs: field('NoNewPrivs'),
    pid: process.pid,
    cwd: process.cwd(),
    home: process.env.HOME,
  };
}

async function httpGet(args: Arguments): Promise<Record<string, unknown>> {
  const url = String(args.url);
  const address = typeof args.connect === 'string' ? args.connect : undefined;
  if (!address) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
      return { status: response.status, body: (await response.text()).slice(0, 300) };
    } catch (error) {
      return { error: errorCode((error as Error).cause ?? error) };
    }
  }
  const target = new URL(url);
  const secure = target.protocol === 'https:';
  return new Promise((resolve) => {
    const options = {
      host: address,
      port: target.port || (secure ? 443 : 80),
      path: `${target.pathname}${target.search}`,
      headers: { host: typeof args.host === 'string' ? args.host : target.host },
      servername: typeof args.servername === 'string' ? args.servername : target.hostname,
      timeout: 10_000,
    };
    const onResponse = (response: IncomingMessage) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode, body: body.slice(0, 300) }));
    };
    const req = secure ? httpsRequest(options, onResponse) : request(options, onResponse);
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (error) => resolve({ error: errorCode(error) }));
    req.end();
  });
}

function tcpSend(args: Arguments): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    const socket = connect({ host: String(args.connect), port: Number(args.port) });
    let received = '';
    const done = (outcome: string) => {
      socket.destroy();
      resolve({ outcome, received: received.slice(0, 300) });
    };
    socket.setTimeout(5_000, () => done('timeout'));
    socket.on('connect', () => socket.write(String(args.data)));
    socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
    socket.on('end', () => done('closed'));
    socket.on('error', (error) => done(errorCode(error)));
  });
}

async function callTool(name: unknown, args: Arguments = {}): Promise<ToolResult> {
  switch (name) {
    case 'echo':
      return text(`Echo: ${String(args.message)}`);
    case 'whoami':
      return text(whoami());
    case 'crash':
      return process.exit(Number.isInteger(args.code) ? Number(args.code) : 70);
    case 'slow': {
      const ms = Number(args.ms) || 0;
      // On stderr, which the bridge passes to the container's log: tests wait for it.
      process.stderr.write(`container-test-server: slow call started (${ms} ms)\n`);
      await new Promise((resolve) => setTimeout(resolve, ms));
      return text(`slept ${ms} ms`);
    }
    case 'http_get':
      return text(await httpGet(args));
    case 'tcp_send':
      return text(await tcpSend(args));
    case 'probe_identity_key':
      return text(await probeIdentityKey(Array.isArray(args.needles) ? args.needles.map(String) : []));
    default:
      return { isError: true, ...text(`unknown tool ${String(name)}`) };
  }
}

interface JsonRpcMessage {
  id?: string | number;
  method?: string;
  params?: { protocolVersion?: string; name?: unknown; arguments?: Arguments };
}

async function handle(message: JsonRpcMessage): Promise<unknown> {
  const { id, method, params } = message;
  if (id === undefined) return undefined; // a notification
  switch (method) {
    case 'initialize':
      return {
        protocolVersion: params?.protocolVersion ?? '2025-06-18',
        capabilities: { tools: {} },
        serverInfo: { name: 'secure-mcp-container-test-server', version: '1.0.0' },
      };
    case 'ping':
      return {};
    case 'tools/list':
      return { tools };
    case 'tools/call':
      return callTool(params?.name, params?.arguments);
    default:
      throw Object.assign(new Error(`method not found: ${method}`), { code: -32601 });
  }
}

function send(message: object): void {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

let buffered = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk: string) => {
  buffered += chunk;
  let newline;
  while ((newline = buffered.indexOf('\n')) !== -1) {
    const line = buffered.slice(0, newline).trim();
    buffered = buffered.slice(newline + 1);
    if (line === '') continue;
    let message: JsonRpcMessage;
    try {
      message = JSON.parse(line) as JsonRpcMessage;
    } catch {
      send({ jsonrpc: '2.0', id: null, error: { code: -32700, message: 'parse error' } });
      continue;
    }
    handle(message).then(
      (result) => {
        if (result !== undefined) send({ jsonrpc: '2.0', id: message.id, result });
      },
      (error: Error & { code?: number }) =>
        send({ jsonrpc: '2.0', id: message.id, error: { code: error.code ?? -32603, message: error.message } }),
    );
  }
});
process.stdin.on('end', () => process.exit(0));
