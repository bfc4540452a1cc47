import type { IncomingMessage } from 'node:http';
import { Client as ClientV2, StreamableHTTPClientTransport as StreamableV2 } from '@modelcontextprotocol/client';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CreateMessageRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startBridge, type BridgeOptions, type RunningBridge } from './bridge.ts';
import { garbageServer, silentServer, slowServer } from '../test/fake-servers.ts';
import { isGoneWithItsGroup, isRunning, SERVER_EVERYTHING } from '../test/test-support.ts';

interface LogRecord {
  event: string;
  [field: string]: unknown;
}

/** Users are named by a test header; the real bridge verifies the Worker's signed identity instead. */
const byTestHeader = (request: IncomingMessage) => {
  const user = request.headers['x-test-user'];
  return typeof user === 'string' ? { userKey: user } : undefined;
};

async function startTestBridge(options: Partial<BridgeOptions> = {}) {
  const logs: LogRecord[] = [];
  const bridge = await startBridge({
    command: SERVER_EVERYTHING,
    port: 0,
    authenticate: byTestHeader,
    logger: (record) => logs.push(record as LogRecord),
    ...options,
  });
  return { bridge, logs };
}

/** An SDK v2 client speaking the stateless 2026-07-28 revision (no initialize, no session). */
/**
 * For a call that asks for progress: `reachedServer` resolves on its first progress notification,
 * the sign that the call is with the stdio server (a test waits on that, never on a delay).
 */
function progressSignal() {
  let reached = () => {};
  const reachedServer = new Promise<void>((resolve) => (reached = resolve));
  return { onprogress: () => reached(), reachedServer };
}

async function connectStateless(bridge: RunningBridge, user: string) {
  const client = new ClientV2(
    { name: 'stateless-test', version: '1.0.0' },
    { versionNegotiation: { mode: { pin: '2026-07-28' } }, capabilities: { sampling: {}, elicitation: { form: {} } } },
  );
  const transport = new StreamableV2(new URL('/mcp', bridge.url), {
    requestInit: { headers: { 'x-test-user': user } },
  });
  await client.connect(transport);
  return client;
}

describe('stateless 2026-07-28 clients (SDK v2)', () => {
  let bridge: RunningBridge;
  let logs: LogRecord[];
  beforeAll(async () => ({ bridge, logs } = await startTestBridge()));
  afterAll(() => bridge.close());

  it('discover, list and call through a child the bridge initialized itself', async () => {
    const client = await connectStateless(bridge, 'alice');
    expect(client.getProtocolEra()).toBe('modern');
    expect(client.getServerVersion()?.name).toBe('mcp-servers/everything');
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toContain('echo');
    const echoed = await client.callTool({ name: 'echo', arguments: { message: 'stateless hello' } });
    expect(echoed.content).toEqual([{ type: 'text', text: 'Echo: stateless hello' }]);
    expect((await client.listResources()).resources.length).toBeGreaterThan(0);
    expect((await client.listPrompts()).prompts.map((prompt) => prompt.name)).toContain('simple-prompt');
    expect(bridge.sessions()).toEqual([]); // no 2025 session was opened for it
    expect(bridge.sharedChildren().alice).toEqual(expect.any(Number));
    await client.close();
  });

  it('turns the server’s sampling and elicitation requests into input_required rounds', async () => {
    const client = await connectStateless(bridge, 'alice');
    client.setRequestHandler('sampling/createMessage', async () => ({
      model: 'test-model',
      role: 'assistant',
      content: { type: 'text', text: 'sampled for a stateless client' },
    }));
    client.setRequestHandler('elicitation/create', async () => ({ action: 'accept', content: { color: 'teal' } }));
    const sampled = await client.callTool({ name: 'trigger-sampling-request', arguments: { prompt: 'hi' } });
    expect(JSON.stringify(sampled.content)).toContain('sampled for a stateless client');
    const elicited = await client.callTool({ name: 'trigger-elicitation-request', arguments: {} });
    expect(JSON.stringify(elicited.content)).toContain('teal');
    expect(logs).toContainEqual(
      expect.objectContaining({
        event: 'request.input_required',
        methods: ['sampling/createMessage'],
        userKey: 'alice',
      }),
    );
    // Logs name users and methods, never argument values or answers.
    expect(JSON.stringify(logs)).not.toMatch(/stateless hello|teal|sampled for a stateless client/);
    await client.close();
  });

  it('relays progress for a call that asked for it', async () => {
    const client = await connectStateless(bridge, 'alice');
    const progress: number[] = [];
    await client.callTool(
      { name: 'trigger-long-running-operation', arguments: { duration: 0.1, steps: 2 } },
      { onprogress: ({ progress: step }: { progress: number }) => progress.push(step) },
    );
    expect(progress).toEqual([1, 2]);
    await client.close();
  });

  it('refuses a request whose Mcp-Method header disagrees with its body', async () => {
    const response = await fetch(`${bridge.url}/mcp`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'x-test-user': 'alice',
        'mcp-protocol-version': '2026-07-28',
        'mcp-method': 'tools/list',
      },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'tools/call',
        params: {
          name: 'echo',
          arguments: { message: 'x' },
          _meta: {
            'io.modelcontextprotocol/protocolVersion': '2026-07-28',
            'io.modelcontextprotocol/clientInfo': { name: 'raw', version: '1' },
            'io.modelcontextprotocol/clientCapabilities': {},
          },
        },
      }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: -32020 } });
  });

  it('gives two users two different children', async () => {
    const alice = await connectStateless(bridge, 'alice');
    const bob = await connectStateless(bridge, 'bob');
    await alice.listTools();
    await bob.listTools();
    const { alice: alicePid, bob: bobPid } = bridge.sharedChildren();
    expect(alicePid).toEqual(expect.any(Number));
    expect(bobPid).toEqual(expect.any(Number));
    expect(alicePid).not.toBe(bobPid);
    await alice.close();
    await bob.close();
  });

  it('answers in-flight calls with an error when the child dies, and restarts it for the next call', async () => {
    const client = await connectStateless(bridge, 'carol');
    await client.listTools();
    const pid = bridge.sharedChildren().carol!;
    const progress = progressSignal();
    const call = client.callTool(
      { name: 'trigger-long-running-operation', arguments: { duration: 10, steps: 100 } },
      { onprogress: progress.onprogress },
    );
    await progress.reachedServer;
    process.kill(pid, 'SIGKILL');
    await expect(call).rejects.toThrow(/exited/);
    const again = await client.callTool({ name: 'echo', arguments: { message: 'after the crash' } });
    expect(again.content).toEqual([{ type: 'text', text: 'Echo: after the crash' }]);
    expect(bridge.sharedChildren().carol).not.toBe(pid);
    await vi.waitFor(() => expect(isGoneWithItsGroup(pid)).toBe(true));
    await client.close();
  });
});

describe('the old HTTP+SSE transport (SDK v1 SSEClientTransport)', () => {
  it('serves tools and relays sampling on /mcp/sse, one child per connection', async () => {
    const { bridge } = await startTestBridge();
    const headers = { 'x-test-user': 'dave' };
    const client = new Client({ name: 'sse-test', version: '1.0.0' }, { capabilities: { sampling: {} } });
    client.setRequestHandler(CreateMessageRequestSchema, () => ({
      model: 'test-model',
      role: 'assistant',
      content: { type: 'text', text: 'sampled over old SSE' },
    }));
    const transport = new SSEClientTransport(new URL('/mcp/sse', bridge.url), {
      requestInit: { headers },
    });
    await client.connect(transport);
    const echoed = await client.callTool({ name: 'echo', arguments: { message: 'old transport' } });
    expect(echoed.content).toEqual([{ type: 'text', text: 'Echo: old transport' }]);
    const sampled = await client.callTool({ name: 'trigger-sampling-request', arguments: { prompt: 'hi' } });
    expect(JSON.stringify(sampled.content)).toContain('sampled over old SSE');
    const [session] = bridge.sessions();
    expect(session).toMatchObject({ transport: 'sse', userKey: 'dave', pid: expect.any(Number) });

    const otherUser = await fetch(`${bridge.url}/mcp/messages?sessionId=${session!.id}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-test-user': 'mallory' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'tools/list' }),
    });
    expect(otherUser.status).toBe(404);
    await client.close();
    await bridge.close();
    expect(isRunning(session!.pid!)).toBe(false);
  });
});

describe('one shared child per user (shareChildPerUser)', () => {
  it('serves all of a user’s sessions from one child, another user from another, and relays sampling', async () => {
    const { bridge } = await startTestBridge({ shareChildPerUser: true });
    const connectAs = async (user: string, capabilities = {}) => {
      const client = new Client({ name: 'shared-test', version: '1.0.0' }, { capabilities });
      const transport = new StreamableHTTPClientTransport(new URL('/mcp', bridge.url), {
        requestInit: { headers: { 'x-test-user': user } },
      });
      await client.connect(transport);
      return { client, transport };
    };
    const first = await connectAs('kim', { sampling: {} });
    const second = await connectAs('kim');
    const other = await connectAs('lee');
    const pidOf = (sessionId: string | undefined) => bridge.sessions().find((session) => session.id === sessionId)?.pid;
    expect(pidOf(first.transport.sessionId)).toEqual(expect.any(Number));
    expect(pidOf(second.transport.sessionId)).toBe(pidOf(first.transport.sessionId));
    expect(pidOf(other.transport.sessionId)).not.toBe(pidOf(first.transport.sessionId));

    first.client.setRequestHandler(CreateMessageRequestSchema, () => ({
      model: 'test-model',
      role: 'assistant',
      content: { type: 'text', text: 'sampled through a shared child' },
    }));
    const sampled = await first.client.callTool({ name: 'trigger-sampling-request', arguments: { prompt: 'hi' } });
    expect(JSON.stringify(sampled.content)).toContain('sampled through a shared child');
    // The second session did not declare sampling: the server's request fails clearly, nothing hangs.
    const refused = await second.client
      .callTool({ name: 'trigger-sampling-request', arguments: { prompt: 'hi' } })
      .catch((error: Error) => error);
    expect(JSON.stringify(refused)).toMatch(/does not support sampling/);
    const echoed = await second.client.callTool({ name: 'echo', arguments: { message: 'shared' } });
    expect(echoed.content).toEqual([{ type: 'text', text: 'Echo: shared' }]);

    const pid = pidOf(first.transport.sessionId)!;
    await first.transport.terminateSession();
    expect(isRunning(pid)).toBe(true); // the user's other session still uses it
    await bridge.close();
    await vi.waitFor(() => expect(isGoneWithItsGroup(pid)).toBe(true));
  });
});

describe('the stdio server’s environment', () => {
  it('holds the configured variables and the verified user, never the bridge’s own environment', async () => {
    process.env.BRIDGE_TEST_SECRET = 'bridge-only';
    const { bridge } = await startTestBridge({
      env: { GITHUB_TOKEN: 'configured-for-the-server' },
      identityEnv: (identity) => ({ MCP_USER_KEY: identity.userKey }),
    });
    try {
      const client = await connectStateless(bridge, 'mia');
      const listed = JSON.stringify(await client.callTool({ name: 'get-env', arguments: {} }));
      expect(listed).toContain('configured-for-the-server');
      expect(listed).toContain('MCP_USER_KEY');
      expect(listed).toContain('mia');
      expect(listed).not.toContain('bridge-only');
      await client.close();
    } finally {
      delete process.env.BRIDGE_TEST_SECRET;
      await bridge.close();
    }
  });
});

describe('faults', () => {
  it('a child that never answers: the request times out with a JSON-RPC error', async () => {
    // Long enough for a child to start on a loaded machine (the limit also bounds its initialize).
    const { bridge, logs } = await startTestBridge({ command: silentServer(), limits: { requestTimeoutMs: 1_500 } });
    const client = new Client({ name: 'timeout-test', version: '1.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL('/mcp', bridge.url), {
        requestInit: { headers: { 'x-test-user': 'erin' } },
      }),
    );
    await expect(client.listTools()).rejects.toMatchObject({
      code: -32001,
      message: expect.stringContaining('did not answer within 1500 ms'),
    });
    expect(logs).toContainEqual(
      expect.objectContaining({ event: 'request.timeout', method: 'tools/list', userKey: 'erin' }),
    );
    // server/discover is answered by the bridge from the child's initialize; the first call is not.
    const stateless = await connectStateless(bridge, 'erin');
    await expect(stateless.listTools()).rejects.toThrow(/did not answer within 1500 ms/);
    await stateless.close();
    await client.close();
    await bridge.close();
  });

  it('a child that writes garbage to stdout: the garbage is skipped, the answer arrives', async () => {
    const { bridge, logs } = await startTestBridge({ command: garbageServer() });
    const client = new Client({ name: 'garbage-test', version: '1.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL('/mcp', bridge.url), {
        requestInit: { headers: { 'x-test-user': 'frank' } },
      }),
    );
    await expect(client.listTools()).resolves.toEqual({ tools: [] });
    expect(logs).toContainEqual(expect.objectContaining({ event: 'child.error' }));
    expect(JSON.stringify(logs)).not.toContain('not json at all');
    await client.close();
    await bridge.close();
  });

  it('SIGTERM (close) during a slow call: the call completes within the drain time, then the child is gone', async () => {
    const { bridge } = await startTestBridge({ command: slowServer(400), limits: { drainMs: 5_000 } });
    const client = new Client({ name: 'drain-test', version: '1.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL('/mcp', bridge.url), {
        requestInit: { headers: { 'x-test-user': 'gina' } },
      }),
    );
    const pid = bridge.sessions()[0]!.pid!;
    const progress = progressSignal();
    const call = client.callTool({ name: 'slow', arguments: {} }, undefined, { onprogress: progress.onprogress });
    await progress.reachedServer;
    const closed = bridge.close();
    await expect(call).resolves.toMatchObject({ content: [{ type: 'text', text: 'slow done' }] });
    await closed;
    await vi.waitFor(() => expect(isGoneWithItsGroup(pid)).toBe(true));
  });

  it('SIGTERM with a call slower than the drain time: it fails cleanly, nothing is left running', async () => {
    const { bridge } = await startTestBridge({ command: slowServer(60_000), limits: { drainMs: 300 } });
    const client = new Client({ name: 'drain-test', version: '1.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL('/mcp', bridge.url), {
        requestInit: { headers: { 'x-test-user': 'gina' } },
      }),
    );
    const pid = bridge.sessions()[0]!.pid!;
    const progress = progressSignal();
    const outcome = client
      .callTool({ name: 'slow', arguments: {} }, undefined, { onprogress: progress.onprogress })
      .catch((error: unknown) => error);
    await progress.reachedServer;
    await bridge.close();
    expect(await outcome).toMatchObject({ message: expect.stringMatching(/shutting down/) });
    await vi.waitFor(() => expect(isGoneWithItsGroup(pid)).toBe(true));
  });

  it('refuses a result larger than the response bound, in both revisions', async () => {
    const { bridge, logs } = await startTestBridge({ limits: { maxResponseBytes: 4_000 } });
    const client = new Client({ name: 'bound-test', version: '1.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL('/mcp', bridge.url), {
        requestInit: { headers: { 'x-test-user': 'ivy' } },
      }),
    );
    await expect(client.listTools()).rejects.toThrow(/larger than 4000 bytes/);
    await expect(client.callTool({ name: 'echo', arguments: { message: 'small' } })).resolves.toMatchObject({
      content: expect.any(Array),
    });
    const stateless = await connectStateless(bridge, 'ivy');
    await expect(stateless.listTools()).rejects.toThrow(/larger than 4000 bytes/);
    expect(logs.filter((record) => record.event === 'response.too_large')).toHaveLength(2);
    await client.close();
    await stateless.close();
    await bridge.close();
  });

  it('answers 503 above the concurrent-request bound', async () => {
    const { bridge } = await startTestBridge({ command: slowServer(1_000), limits: { maxConcurrentRequests: 1 } });
    const client = new Client({ name: 'busy-test', version: '1.0.0' });
    const transport = new StreamableHTTPClientTransport(new URL('/mcp', bridge.url), {
      requestInit: { headers: { 'x-test-user': 'jay' } },
    });
    await client.connect(transport);
    const progress = progressSignal();
    const slow = client.callTool({ name: 'slow', arguments: {} }, undefined, { onprogress: progress.onprogress });
    await progress.reachedServer;
    const busy = await fetch(`${bridge.url}/mcp`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'x-test-user': 'jay',
        'mcp-session-id': transport.sessionId!,
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 99, method: 'tools/list' }),
    });
    expect(busy.status).toBe(503);
    expect(busy.headers.get('retry-after')).toBe('1');
    await expect(slow).resolves.toMatchObject({ content: [{ type: 'text', text: 'slow done' }] });
    await client.close();
    await bridge.close();
  });

  it('stops an idle session and its child', async () => {
    const { bridge, logs } = await startTestBridge({ limits: { idleMs: 300 } });
    // One message only: a client's second message may come later than the short idle limit on a
    // loaded machine, and then meets an ended session (seen with two CPU burners on the cores).
    const opened = await fetch(new URL('/mcp', bridge.url), {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'x-test-user': 'nina',
      },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: {
          protocolVersion: '2025-11-25',
          capabilities: {},
          clientInfo: { name: 'idle-test', version: '1.0.0' },
        },
      }),
    });
    expect(opened.status).toBe(200);
    await opened.text();
    const pid = bridge.sessions()[0]!.pid!;
    await vi.waitFor(() => expect(isRunning(pid)).toBe(false), { timeout: 15_000 });
    expect(logs).toContainEqual(expect.objectContaining({ event: 'session.closed', reason: 'idle', userKey: 'nina' }));
    expect(bridge.sessions()).toEqual([]);
    await bridge.close();
  });

  it('caps the number of children: with the one child busy, a new session is refused, saying why', async () => {
    const { bridge } = await startTestBridge({ command: slowServer(3_000), limits: { maxChildren: 1 } });
    const first = new Client({ name: 'cap-test', version: '1.0.0' });
    await first.connect(
      new StreamableHTTPClientTransport(new URL('/mcp', bridge.url), {
        requestInit: { headers: { 'x-test-user': 'hal' } },
      }),
    );
    const progress = progressSignal();
    const busy = first.callTool({ name: 'slow', arguments: {} }, undefined, { onprogress: progress.onprogress });
    await progress.reachedServer;
    const second = new Client({ name: 'cap-test', version: '1.0.0' });
    await expect(
      second.connect(
        new StreamableHTTPClientTransport(new URL('/mcp', bridge.url), {
          requestInit: { headers: { 'x-test-user': 'hal' } },
        }),
      ),
    ).rejects.toThrow(/already runs 1 MCP server processes/);
    await busy;
    await first.close();
    await bridge.close();
  });
});
