#!/usr/bin/env node
// A stdio MCP server for the real-container tests, with no dependencies (the image installs it as
// MCP_SERVER_PACKAGE from a tarball the tests serve on loopback). Newline-delimited JSON-RPC on
// stdin/stdout, as the MCP stdio transport has it. Tools:
//   echo {message}                 "Echo: <message>", like server-everything's
//   whoami                         uid, gid, groups, capabilities, no_new_privs, pid, cwd, HOME
//   crash {code}                   exits at once, without answering
//   slow {ms}                      answers after ms milliseconds
//   http_get {url, connect, host, servername}  one HTTP(S) GET (to `connect` with Host `host` and
//                                  TLS server name `servername` when given)
//   tcp_send {connect, port, data} raw bytes on a TCP connection, and what comes back
//   probe_identity_key {needles}   probe-identity-key.mjs: every way to find the bridge's key
import { request } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import { readFileSync } from 'node:fs';
import { probeIdentityKey } from './probe-identity-key.mjs';

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

const text = (value) => ({
  content: [{ type: 'text', text: typeof value === 'string' ? value : JSON.stringify(value) }],
});

function whoami() {
  const status = readFileSync('/proc/self/status', 'utf8');
  const field = (name) => new RegExp(`^${name}:[ \\t]*(.*)$`, 'm').exec(status)?.[1]?.trim();
  return {
    uid: process.getuid(),
    gid: process.getgid(),
    groups: process.getgroups(),
    uids: field('Uid'),
    capEff: field('CapEff'),
    capPrm: field('CapPrm'),
    noNewPrivs: field('NoNewPrivs'),
    pid: process.pid,
    cwd: process.cwd(),
    home: process.env.HOME,
  };
}

function httpGet({ url, connect: address, host, servername }) {
  if (!address) {
    return fetch(url, { signal: AbortSignal.timeout(10_000) }).then(
      async (response) => ({ status: response.status, body: (await response.text()).slice(0, 300) }),
      (error) => ({ error: error.cause?.code ?? error.message }),
    );
  }
  const target = new URL(url);
  const secure = target.protocol === 'https:';
  return new Promise((resolve) => {
    const req = (secure ? httpsRequest : request)(
      {
        host: address,
        port: target.port || (secure ? 443 : 80),
        path: `${target.pathname}${target.search}`,
        headers: { host: host ?? target.host },
        servername: servername ?? target.hostname,
        timeout: 10_000,
      },
      (response) => {
        let body = '';
        response.on('data', (chunk) => (body += chunk));
        response.on('end', () => resolve({ status: response.statusCode, body: body.slice(0, 300) }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (error) => resolve({ error: error.code ?? error.message }));
    req.end();
  });
}

function tcpSend({ connect: address, port, data }) {
  return new Promise((resolve) => {
    const socket = connect({ host: address, port });
    let received = '';
    const done = (outcome) => {
      socket.destroy();
      resolve({ outcome, received: received.slice(0, 300) });
    };
    socket.setTimeout(5_000, () => done('timeout'));
    socket.on('connect', () => socket.write(data));
    socket.on('data', (chunk) => (received += chunk));
    socket.on('end', () => done('closed'));
    socket.on('error', (error) => done(error.code ?? error.message));
  });
}

async function callTool(name, args = {}) {
  switch (name) {
    case 'echo':
      return text(`Echo: ${args.message}`);
    case 'whoami':
      return text(whoami());
    case 'crash':
      process.exit(Number.isInteger(args.code) ? args.code : 70);
      return undefined;
    case 'slow':
      // On stderr, which the bridge passes to the container's log: tests wait for it.
      process.stderr.write(`container-test-server: slow call started (${Number(args.ms) || 0} ms)\n`);
      await new Promise((resolve) => setTimeout(resolve, Number(args.ms) || 0));
      return text(`slept ${Number(args.ms) || 0} ms`);
    case 'http_get':
      return text(await httpGet(args));
    case 'tcp_send':
      return text(await tcpSend(args));
    case 'probe_identity_key':
      return text(await probeIdentityKey(Array.isArray(args.needles) ? args.needles : []));
    default:
      return { isError: true, ...text(`unknown tool ${name}`) };
  }
}

async function handle(message) {
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

function send(message) {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

let buffered = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  buffered += chunk;
  let newline;
  while ((newline = buffered.indexOf('\n')) !== -1) {
    const line = buffered.slice(0, newline).trim();
    buffered = buffered.slice(newline + 1);
    if (line === '') continue;
    let message;
    try {
      message = JSON.parse(line);
    } catch {
      send({ jsonrpc: '2.0', id: null, error: { code: -32700, message: 'parse error' } });
      continue;
    }
    handle(message).then(
      (result) => result !== undefined && send({ jsonrpc: '2.0', id: message.id, result }),
      (error) =>
        send({ jsonrpc: '2.0', id: message.id, error: { code: error.code ?? -32603, message: error.message } }),
    );
  }
});
process.stdin.on('end', () => process.exit(0));
