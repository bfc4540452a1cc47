import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { CreateMessageRequestSchema, type JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startBridge, type RunningBridge } from './bridge.ts';
import { quietEchoServer } from '../test/fake-servers.ts';
import { SessionHttpTransport } from './session-http-transport.ts';
import { SERVER_EVERYTHING } from '../test/test-support.ts';

/** The media type of each POST's answer, by the JSON-RPC method it carried. */
type Answers = { method: string; contentType: string }[];

/** An SDK v1 client on the bridge whose fetch records the media type of every POST's answer. */
async function recordingClient(bridge: RunningBridge, answers: Answers) {
  const recordingFetch: typeof fetch = async (input, init) => {
    const response = await fetch(input, init);
    if (init?.method === 'POST') {
      if (typeof init.body !== 'string') throw new Error('the SDK client posts JSON text');
      const body = JSON.parse(init.body) as { method?: string };
      answers.push({ method: body.method ?? 'response', contentType: response.headers.get('content-type') ?? '' });
    }
    return response;
  };
  const client = new Client({ name: 'media-type-test', version: '1' }, { capabilities: { sampling: {} } });
  const transport = new StreamableHTTPClientTransport(new URL('/mcp', bridge.url), { fetch: recordingFetch });
  await client.connect(transport);
  return { client, transport };
}

describe('the media type of a 2025 session’s answers', () => {
  let bridge: RunningBridge;
  /** A server that never speaks unasked: server-everything logs and asks for roots on its own, and a
   * message arriving during a call rightly turns that call's answer into a stream. */
  let quietBridge: RunningBridge;
  beforeAll(async () => {
    bridge = await startBridge({ command: SERVER_EVERYTHING, port: 0, logger: () => {} });
    quietBridge = await startBridge({ command: quietEchoServer(), port: 0, logger: () => {} });
  });
  afterAll(() => Promise.all([bridge.close(), quietBridge.close()]));

  it('answers with application/json when nothing else goes out before the answer', async () => {
    const answers: Answers = [];
    const { client, transport } = await recordingClient(quietBridge, answers);
    const result = await client.callTool({ name: 'echo', arguments: { message: 'plain' } });
    expect(result.content).toEqual([{ type: 'text', text: 'Echo: plain' }]);
    expect(answers.find((answer) => answer.method === 'tools/call')?.contentType).toBe('application/json');
    // A notification alone still gets the SDK transport's 202 with no body.
    expect(answers.find((answer) => answer.method === 'notifications/initialized')?.contentType).toBe('');
    await transport.terminateSession();
  });

  it('keeps text/event-stream for a client that lists it first', async () => {
    const { transport } = await recordingClient(quietBridge, []);
    const post = (accept: string) =>
      fetch(new URL('/mcp', quietBridge.url), {
        method: 'POST',
        headers: { accept, 'content-type': 'application/json', 'mcp-session-id': transport.sessionId! },
        body: JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'tools/list' }),
      });
    const sseFirst = await post('text/event-stream, application/json');
    expect(sseFirst.headers.get('content-type')).toBe('text/event-stream');
    expect(await sseFirst.text()).toContain('"id":7');
    const jsonFirst = await post('application/json, text/event-stream');
    expect(jsonFirst.headers.get('content-type')).toBe('application/json');
    expect(((await jsonFirst.json()) as { id: number }).id).toBe(7);
    await transport.terminateSession();
  });

  it('switches to text/event-stream when progress comes before the answer', async () => {
    const answers: Answers = [];
    const { client, transport } = await recordingClient(bridge, answers);
    const progress: number[] = [];
    await client.callTool(
      { name: 'trigger-long-running-operation', arguments: { duration: 0.1, steps: 2 } },
      undefined,
      {
        onprogress: ({ progress: step }) => progress.push(step),
      },
    );
    expect(progress).toEqual([1, 2]);
    expect(answers.find((answer) => answer.method === 'tools/call')?.contentType).toBe('text/event-stream');
    await transport.terminateSession();
  });

  it('switches to text/event-stream for a sampling request during the call, and relays its answer', async () => {
    const answers: Answers = [];
    const { client, transport } = await recordingClient(bridge, answers);
    client.setRequestHandler(CreateMessageRequestSchema, () => ({
      model: 'test',
      role: 'assistant',
      content: { type: 'text', text: 'sampled here' },
    }));
    const result = await client.callTool({ name: 'trigger-sampling-request', arguments: { prompt: 'hi' } });
    expect(JSON.stringify(result.content)).toContain('sampled here');
    expect(answers.find((answer) => answer.method === 'tools/call')?.contentType).toBe('text/event-stream');
    await transport.terminateSession();
  });
});

describe('SessionHttpTransport on its own', () => {
  let server: Server;
  let url: string;
  let http: SessionHttpTransport;
  /** How long the fake server takes to answer; below zero, the test answers itself (or never). */
  let answerAfterMs = 0;
  /** How many POSTs the transport has finished with. */
  let handled = 0;

  beforeAll(async () => {
    const sdk = new StreamableHTTPServerTransport({ sessionIdGenerator: () => 'session-1' });
    // Keep-alive after 500 ms: a quick answer (next timer tick) beats it even on a loaded machine.
    http = new SessionHttpTransport(sdk, 'session-1', 500);
    http.onmessage = (message) => {
      const id = (message as { id: number }).id;
      if (answerAfterMs < 0) return;
      setTimeout(() => void http.send({ jsonrpc: '2.0', id, result: { done: true } }), answerAfterMs);
    };
    server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => (body += chunk));
      request.on('end', () => void http.handleRequest(request, response, JSON.parse(body)).then(() => (handled += 1)));
    }).listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`;
  });
  afterAll(async () => {
    await http.close();
    server.close();
  });

  const call = (id: number, signal?: AbortSignal) =>
    fetch(url, {
      signal,
      method: 'POST',
      headers: {
        accept: 'application/json, text/event-stream',
        'content-type': 'application/json',
        'mcp-session-id': 'session-1',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'x' } }),
    });

  it('answers a quick request with one JSON body carrying the session id', async () => {
    answerAfterMs = 0;
    const response = await call(1);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(response.headers.get('mcp-session-id')).toBe('session-1');
    expect((await response.json()) as JSONRPCMessage).toEqual({ jsonrpc: '2.0', id: 1, result: { done: true } });
  });

  it('turns a request slower than the keep-alive interval into a stream with keep-alive comments', async () => {
    answerAfterMs = -1; // answered below, once the stream has shown a keep-alive comment
    const response = await call(2);
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    while (!text.includes(': keepalive\n\n')) {
      const { done, value } = await reader.read();
      if (done) throw new Error(`the stream ended before a keep-alive comment: ${text}`);
      text += value;
    }
    await http.send({ jsonrpc: '2.0', id: 2, result: { done: true } });
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) text += chunk.value;
    expect(text).toContain(
      `event: message\ndata: ${JSON.stringify({ jsonrpc: '2.0', id: 2, result: { done: true } })}\n\n`,
    );
  });

  it('lets go of a POST whose client left: its late answer is reported undeliverable', async () => {
    answerAfterMs = -1;
    const before = handled;
    const abort = new AbortController();
    const response = await call(4, abort.signal);
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    abort.abort();
    await vi.waitFor(() => expect(handled).toBe(before + 1));
    await expect(http.send({ jsonrpc: '2.0', id: 4, result: {} })).rejects.toThrow(
      'No connection established for request ID: 4',
    );
  });

  it('leaves a request of another shape to the SDK transport', async () => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { accept: 'application/json', 'content-type': 'application/json', 'mcp-session-id': 'session-1' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'tools/call' }),
    });
    expect(response.status).toBe(406);
  });
});
