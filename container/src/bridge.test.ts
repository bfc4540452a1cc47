import { request as httpRequest } from 'node:http';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  CreateMessageRequestSchema,
  ListRootsRequestSchema,
  type ClientCapabilities,
} from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { MAX_REQUEST_BODY_BYTES, startBridge, type BridgeOptions, type RunningBridge } from './bridge.ts';
import { isRunning, SERVER_EVERYTHING } from '../test/test-support.ts';

interface LogRecord {
  event: string;
  [field: string]: unknown;
}

/** A bridge on a free loopback port that records its log. */
async function startTestBridge(options: Partial<BridgeOptions> = {}) {
  const logs: LogRecord[] = [];
  const bridge = await startBridge({
    command: SERVER_EVERYTHING,
    port: 0,
    logger: (record) => logs.push(record as LogRecord),
    ...options,
  });
  return { bridge, logs };
}

async function connect(
  bridge: RunningBridge,
  capabilities: ClientCapabilities = {},
  headers: Record<string, string> = {},
) {
  const client = new Client({ name: 'bridge-test', version: '1.0.0' }, { capabilities });
  const transport = new StreamableHTTPClientTransport(new URL('/mcp', bridge.url), { requestInit: { headers } });
  await client.connect(transport);
  return { client, transport, sessionId: transport.sessionId! };
}

function pidOf(bridge: RunningBridge, sessionId: string): number {
  const pid = bridge.sessions().find((session) => session.id === sessionId)?.pid;
  if (pid === undefined) throw new Error(`no running child for session ${sessionId}`);
  return pid;
}

/** A raw MCP POST, for what the SDK client would never send. */
function postMcp(bridge: RunningBridge, body: string, headers: Record<string, string> = {}) {
  return fetch(`${bridge.url}/mcp`, {
    method: 'POST',
    headers: { accept: 'application/json, text/event-stream', 'content-type': 'application/json', ...headers },
    body,
  });
}

const listTools = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' });

describe('bridge in front of server-everything', () => {
  let bridge: RunningBridge;
  let logs: LogRecord[];

  beforeAll(async () => {
    ({ bridge, logs } = await startTestBridge());
  });
  afterAll(() => bridge.close());

  it('lists the stdio server’s tools and calls echo', async () => {
    const { client, transport } = await connect(bridge);
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toContain('echo');

    const result = await client.callTool({ name: 'echo', arguments: { message: 'hello through the bridge' } });
    expect(result.content).toEqual([{ type: 'text', text: 'Echo: hello through the bridge' }]);
    await transport.terminateSession();
  });

  it('relays server-to-client requests and progress notifications', async () => {
    const { client, transport } = await connect(bridge, { sampling: {} });
    client.setRequestHandler(CreateMessageRequestSchema, () => ({
      model: 'test-model',
      role: 'assistant',
      content: { type: 'text', text: 'sampled by the test' },
    }));
    const sampled = await client.callTool({ name: 'trigger-sampling-request', arguments: { prompt: 'hi' } });
    expect(JSON.stringify(sampled.content)).toContain('sampled by the test');

    const progress: number[] = [];
    await client.callTool(
      { name: 'trigger-long-running-operation', arguments: { duration: 0.1, steps: 2 } },
      undefined,
      { onprogress: ({ progress: step }) => progress.push(step) },
    );
    expect(progress).toEqual([1, 2]);
    await transport.terminateSession();
  });

  it('delivers a server request sent outside any client request on the GET stream, and relays the answer', async () => {
    const { client, transport } = await connect(bridge, { roots: {} });
    let rootsAsked = 0;
    client.setRequestHandler(ListRootsRequestSchema, () => {
      rootsAsked += 1;
      return { roots: [{ uri: 'file:///workspace', name: 'workspace' }] };
    });
    // server-everything asks for the roots by itself, 350 ms after initialization.
    await vi.waitFor(() => expect(rootsAsked).toBe(1));
    await vi.waitFor(async () => {
      const listed = await client.callTool({ name: 'get-roots-list', arguments: {} });
      expect(JSON.stringify(listed.content)).toContain('file:///workspace');
    });
    expect(rootsAsked).toBe(1);
    await transport.terminateSession();
  });

  it('gives every session a child of its own and ends it on DELETE', async () => {
    const first = await connect(bridge);
    const second = await connect(bridge);
    expect(first.sessionId).not.toBe(second.sessionId);
    const pids = [pidOf(bridge, first.sessionId), pidOf(bridge, second.sessionId)];
    expect(pids[0]).not.toBe(pids[1]);
    expect(pids.every(isRunning)).toBe(true);

    const health = await fetch(`${bridge.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok', sessions: bridge.sessions().length, children: 2 });

    await first.transport.terminateSession();
    await second.transport.terminateSession();
    await vi.waitFor(() => expect(pids.some(isRunning)).toBe(false));
    expect(bridge.sessions().map((session) => session.id)).not.toContain(first.sessionId);
  });

  it('fails in-flight and later requests cleanly when the child dies, and a new session works', async () => {
    const { client, sessionId } = await connect(bridge);
    const pid = pidOf(bridge, sessionId);
    let childIsWorking!: () => void;
    const working = new Promise<void>((resolve) => (childIsWorking = resolve));
    const call = client.callTool(
      { name: 'trigger-long-running-operation', arguments: { duration: 10, steps: 100 } },
      undefined,
      { onprogress: () => childIsWorking() },
    );
    await working;
    process.kill(pid, 'SIGKILL');

    await expect(call).rejects.toMatchObject({ code: -32000, message: expect.stringContaining('exited') });
    const later = await postMcp(bridge, listTools, { 'mcp-session-id': sessionId });
    expect(later.status).toBe(404);
    expect(await later.json()).toMatchObject({ jsonrpc: '2.0', error: { code: -32001 } });
    await expect(client.listTools()).rejects.toMatchObject({ code: 404 });
    expect(logs).toContainEqual(expect.objectContaining({ event: 'child.exited', pid, code: null, signal: 'SIGKILL' }));
    expect(logs).toContainEqual(
      expect.objectContaining({ event: 'session.closed', sessionId, reason: 'server-exited' }),
    );

    const fresh = await connect(bridge);
    const result = await fresh.client.callTool({ name: 'echo', arguments: { message: 'again' } });
    expect(result.content).toEqual([{ type: 'text', text: 'Echo: again' }]);
    await fresh.transport.terminateSession();
  });

  it('answers bad input with 4xx JSON-RPC errors and opens no session for it', async () => {
    const sessionsBefore = bridge.sessions().length;
    const tooLarge = await postMcp(bridge, JSON.stringify({ padding: 'x'.repeat(MAX_REQUEST_BODY_BYTES) }));
    expect(tooLarge.status).toBe(413);
    expect(await tooLarge.json()).toMatchObject({ jsonrpc: '2.0', error: { code: -32000 } });

    const malformed = await postMcp(bridge, '{"jsonrpc": "2.0", "id": 1, "method": ');
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ jsonrpc: '2.0', error: { code: -32700 } });

    const wrongType = await postMcp(bridge, listTools, { 'content-type': 'text/plain' });
    expect(wrongType.status).toBe(415);

    const withoutSession = await postMcp(bridge, listTools);
    expect(withoutSession.status).toBe(400);
    expect(await withoutSession.json()).toMatchObject({ jsonrpc: '2.0', error: { code: -32000 } });

    const unknownSession = await postMcp(bridge, listTools, { 'mcp-session-id': 'no-such-session' });
    expect(unknownSession.status).toBe(404);
    expect(await unknownSession.json()).toMatchObject({ jsonrpc: '2.0', error: { code: -32001 } });

    expect((await fetch(`${bridge.url}/elsewhere`)).status).toBe(404);
    expect((await fetch(`${bridge.url}/healthz`)).status).toBe(200);
    expect(bridge.sessions()).toHaveLength(sessionsBefore);
  });

  it('refuses a Host header that is not loopback (DNS rebinding)', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const request = httpRequest(`${bridge.url}/mcp`, {
        method: 'POST',
        headers: {
          host: `attacker.example:${bridge.port}`,
          accept: 'application/json, text/event-stream',
          'content-type': 'application/json',
        },
      });
      request.on('response', (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      });
      request.on('error', reject);
      request.end(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: {} }));
    });
    expect(status).toBe(403);
  });

  it('logs sessions and children as JSON records, never request content', () => {
    const events = new Set(logs.map((record) => record.event));
    for (const event of ['bridge.listening', 'session.opened', 'child.spawned', 'child.exited', 'session.closed']) {
      expect(events).toContain(event);
    }
    expect(JSON.stringify(logs)).not.toContain('hello through the bridge');
  });
});

describe('bridge shutdown and failures', () => {
  it('close() ends every session and leaves no child running', async () => {
    const { bridge } = await startTestBridge();
    await connect(bridge);
    await connect(bridge);
    const pids = bridge.sessions().map((session) => session.pid!);
    expect(pids).toHaveLength(2);

    await bridge.close();
    expect(pids.filter(isRunning)).toEqual([]);
    expect(bridge.sessions()).toEqual([]);
    await expect(fetch(`${bridge.url}/healthz`)).rejects.toThrow('fetch failed');
  });

  it('answers initialize with a JSON-RPC error when the server cannot be started', async () => {
    const { bridge, logs } = await startTestBridge({ command: ['/nonexistent/mcp-server'] });
    await expect(connect(bridge)).rejects.toThrow(/could not be started/);
    expect(bridge.sessions()).toEqual([]);
    expect(logs).toContainEqual(expect.objectContaining({ event: 'child.spawn_failed' }));
    await bridge.close();
  });

  it('asks authenticate() about every MCP request and binds each session to its user', async () => {
    const { bridge } = await startTestBridge({
      authenticate: (request) => {
        const user = request.headers['x-test-user'];
        return typeof user === 'string' ? { userKey: user } : undefined;
      },
    });
    const anonymous = await postMcp(bridge, listTools);
    expect(anonymous.status).toBe(401);

    const { client, sessionId } = await connect(bridge, {}, { 'x-test-user': 'alice' });
    const asBob = await postMcp(bridge, listTools, { 'mcp-session-id': sessionId, 'x-test-user': 'bob' });
    expect(asBob.status).toBe(404);
    await expect(client.listTools()).resolves.toMatchObject({ tools: expect.any(Array) });
    await bridge.close();
  });
});
