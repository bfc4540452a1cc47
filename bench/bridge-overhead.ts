/**
 * The bridge's overhead: median latency of server-everything's `echo` through the bridge (Streamable
 * HTTP on loopback, sessionful and stateless) against the MCP SDK client talking stdio directly, and
 * the peak memory (VmHWM) of a stdio child and of the bridge process.
 *
 * Run: `npm run bench:bridge -- [calls]` (default 500 calls per path, after 50 warm-up calls).
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { Client as ClientV2, StreamableHTTPClientTransport as StreamableV2 } from '@modelcontextprotocol/client';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { startBridge } from '../container/src/bridge.ts';
import { serverEverythingCommand } from '../dev/stack/server-everything.ts';

const calls = Number(process.argv[2] ?? 500);
const warmUp = 50;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function measure(call: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < warmUp; i++) await call();
  const samples: number[] = [];
  for (let i = 0; i < calls; i++) {
    const start = performance.now();
    await call();
    samples.push(performance.now() - start);
  }
  return median(samples);
}

/** Peak resident memory of a process in MiB (Linux /proc). */
function peakMemoryMiB(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmHWM:'));
  return Number(line?.split(/\s+/)[1] ?? NaN) / 1024;
}

/** A bare HTTP POST round trip on loopback with the same fetch, for scale: the floor of any HTTP hop. */
async function bareHttpRoundTrip(): Promise<number> {
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => response.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
  }).listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
  const result = await measure(async () => (await fetch(url, { method: 'POST', body: '{}' })).text());
  server.close();
  return result;
}

/**
 * The same SDK client against an MCP server that speaks Streamable HTTP itself (SDK v1, in process,
 * one `echo` tool): what serving over HTTP costs without any stdio hop. The bridge's own overhead is
 * the difference to the path through the bridge.
 */
async function nativeHttpServer(): Promise<{ url: URL; close: () => void }> {
  const server = new McpServer({ name: 'native-echo', version: '1' });
  server.registerTool('echo', { inputSchema: { message: z.string() } }, ({ message }) => ({
    content: [{ type: 'text', text: `Echo: ${message}` }],
  }));
  const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: randomUUID });
  await server.connect(transport);
  const http = createServer((request, response) => void transport.handleRequest(request, response)).listen(
    0,
    '127.0.0.1',
  );
  await new Promise((resolve) => http.once('listening', resolve));
  return {
    url: new URL(`http://127.0.0.1:${(http.address() as { port: number }).port}/mcp`),
    close: () => http.close(),
  };
}

const echo = (client: Client | ClientV2) => client.callTool({ name: 'echo', arguments: { message: 'bench' } });
const [program, ...args] = serverEverythingCommand();
const bareMedian = await bareHttpRoundTrip();

const direct = new Client({ name: 'bench-direct', version: '1' });
const stdio = new StdioClientTransport({ command: program!, args, stderr: 'ignore' });
await direct.connect(stdio);
const directMedian = await measure(() => echo(direct));
const directPid = stdio.pid!;
const directChildMiB = peakMemoryMiB(directPid);
await direct.close();

const native = await nativeHttpServer();
const nativeClient = new Client({ name: 'bench-native', version: '1' });
await nativeClient.connect(new StreamableHTTPClientTransport(native.url));
const nativeMedian = await measure(() => echo(nativeClient));
await nativeClient.close();
native.close();

const bridge = await startBridge({ command: serverEverythingCommand(), port: 0, logger: () => {} });
const sessionful = new Client({ name: 'bench-bridge', version: '1' });
await sessionful.connect(new StreamableHTTPClientTransport(new URL('/mcp', bridge.url)));
const sessionfulMedian = await measure(() => echo(sessionful));
const childMiB = peakMemoryMiB(bridge.sessions()[0]!.pid!);

const stateless = new ClientV2(
  { name: 'bench-stateless', version: '1' },
  { versionNegotiation: { mode: { pin: '2026-07-28' } } },
);
await stateless.connect(new StreamableV2(new URL('/mcp', bridge.url)));
const statelessMedian = await measure(() => echo(stateless));
const bridgeMiB = peakMemoryMiB(process.pid);

await sessionful.close();
await stateless.close();
await bridge.close();

const row = (name: string, ms: number) => `${name.padEnd(44)} ${ms.toFixed(3)} ms`;
console.log(`echo, median of ${calls} calls (after ${warmUp} warm-up), loopback, this machine:`);
console.log(row('bare HTTP POST round trip (no MCP), for scale', bareMedian));
console.log(row('direct stdio (SDK v1 StdioClientTransport)', directMedian));
console.log(row('server speaking Streamable HTTP itself (v1)', nativeMedian));
console.log(row('through the bridge, 2025 session (SDK v1)', sessionfulMedian));
console.log(row('through the bridge, 2026-07-28 stateless (v2)', statelessMedian));
console.log(`bridge vs direct stdio client (sessionful): +${(sessionfulMedian - directMedian).toFixed(3)} ms`);
console.log(
  `bridge vs a server serving HTTP itself (the stdio hop and relay): +${(sessionfulMedian - nativeMedian).toFixed(3)} ms`,
);
console.log(
  `peak memory: stdio child ${childMiB.toFixed(1)} MiB (direct ${directChildMiB.toFixed(1)} MiB); bench process incl. bridge ${bridgeMiB.toFixed(1)} MiB`,
);
