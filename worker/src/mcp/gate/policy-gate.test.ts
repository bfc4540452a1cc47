import { describe, expect, it, vi } from 'vitest';
import type { UserProps } from '../../config.ts';
import type { Upstream } from '../upstream.ts';
import type { AuditRecord } from './audit-record.ts';
import { runPolicyGate } from './policy-gate.ts';
import { memoryCallLimiter } from './rate-limit/limit-calls.ts';
import { toolPolicies } from './tool-policies.ts';

// The gate with the shipped policies/tools.yaml, in workerd, against a recording upstream.
const alice: UserProps = { sub: 'alice-sub', email: 'alice@example.com', name: 'Alice', groups: ['engineering'] };
const bob: UserProps = { sub: 'bob-sub', email: 'bob@example.com', name: 'Bob', groups: ['support'] };

const serverTools = ['echo', 'get-env', 'get-sum', 'trigger-long-running-operation', 'get-structured-content'].map(
  (name) => ({ name, inputSchema: { type: 'object' } }),
);

/** An upstream that records what reaches it and answers with a canned response. */
class RecordingUpstream implements Upstream {
  readonly received: Array<{ body: string; headers: Headers }> = [];
  constructor(private readonly answer: () => Response) {}
  async forward(request: Request): Promise<Response> {
    this.received.push({ body: request.method === 'POST' ? await request.text() : '', headers: request.headers });
    return this.answer();
  }
}

const jsonAnswer = (body: unknown) => () => Response.json(body);
const sseAnswer = (events: string) => () => new Response(events, { headers: { 'Content-Type': 'text/event-stream' } });

function post(body: unknown, headers: Record<string, string> = {}): Request {
  return new Request('http://localhost:8788/mcp', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

async function gate(user: UserProps, request: Request, upstream: Upstream) {
  const records: AuditRecord[] = [];
  const response = await runPolicyGate(request, {
    user,
    clientId: 'client-1',
    policies: toolPolicies,
    upstream,
    rateLimiter: memoryCallLimiter(),
    audit: (record) => records.push(record as AuditRecord),
  });
  const text = await response.text();
  return {
    response,
    text,
    json: text ? JSON.parse(text.startsWith('{') || text.startsWith('[') ? text : 'null') : undefined,
    records,
  };
}

const toolsList = { jsonrpc: '2.0', id: 1, method: 'tools/list' };
const toolsListAnswer = { jsonrpc: '2.0', id: 1, result: { tools: serverTools } };

describe('list filtering', () => {
  it('shows alice (engineering) every tool but the one a deny rule removes, and bob (support) only his', async () => {
    const forAlice = await gate(alice, post(toolsList), new RecordingUpstream(jsonAnswer(toolsListAnswer)));
    expect(forAlice.json.result.tools.map((tool: { name: string }) => tool.name)).toEqual([
      'echo',
      'get-sum',
      'trigger-long-running-operation',
      'get-structured-content',
    ]);
    const forBob = await gate(bob, post(toolsList), new RecordingUpstream(jsonAnswer(toolsListAnswer)));
    expect(forBob.json.result.tools.map((tool: { name: string }) => tool.name)).toEqual([
      'echo',
      'get-sum',
      'get-structured-content',
    ]);
  });

  it('filters each data message of an SSE answer and leaves other events as they were', async () => {
    const events =
      'event: message\nid: 1\ndata: {"jsonrpc":"2.0","method":"notifications/message","params":{"level":"info","data":"hi"}}\n\n' +
      `event: message\nid: 2\ndata: ${JSON.stringify(toolsListAnswer)}\n\n`;
    const { text, response } = await gate(bob, post(toolsList), new RecordingUpstream(sseAnswer(events)));
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    const [first, second] = text.split('\n\n');
    expect(first).toBe(
      'event: message\nid: 1\ndata: {"jsonrpc":"2.0","method":"notifications/message","params":{"level":"info","data":"hi"}}',
    );
    expect(second).toMatch(/^event: message\nid: 2\ndata: /);
    const message = JSON.parse(second!.split('data: ')[1]!);
    expect(message.result.tools.map((tool: { name: string }) => tool.name)).toEqual([
      'echo',
      'get-sum',
      'get-structured-content',
    ]);
  });

  it('filters tools that appear later (after list_changed) when they are listed again, also on a resumed GET stream', async () => {
    const later = {
      jsonrpc: '2.0',
      id: 9,
      result: { tools: [...serverTools, { name: 'brand-new-admin-tool', inputSchema: { type: 'object' } }] },
    };
    const events = `data: {"jsonrpc":"2.0","method":"notifications/tools/list_changed"}\n\ndata: ${JSON.stringify(later)}\n\n`;
    const get = new Request('http://localhost:8788/mcp', { method: 'GET', headers: { Accept: 'text/event-stream' } });
    const { text, records } = await gate(bob, get, new RecordingUpstream(sseAnswer(events)));
    expect(text).toContain('notifications/tools/list_changed');
    expect(text).not.toContain('brand-new-admin-tool');
    expect(text).not.toContain('get-env');
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ httpMethod: 'GET', method: null, decision: 'allow' });
  });

  it('filters resources and prompts by URI and name', async () => {
    const answer = {
      jsonrpc: '2.0',
      id: 1,
      result: {
        resources: [
          { uri: 'demo://resource/static/document/a.md', name: 'a' },
          { uri: 'file:///etc/passwd', name: 'p' },
        ],
      },
    };
    const resources = await gate(
      bob,
      post({ jsonrpc: '2.0', id: 1, method: 'resources/list' }),
      new RecordingUpstream(jsonAnswer(answer)),
    );
    expect(resources.json.result.resources).toEqual([{ uri: 'demo://resource/static/document/a.md', name: 'a' }]);
    const prompts = {
      jsonrpc: '2.0',
      id: 2,
      result: { prompts: [{ name: 'simple-prompt' }, { name: 'resource-prompt' }] },
    };
    const filtered = await gate(
      bob,
      post({ jsonrpc: '2.0', id: 2, method: 'prompts/list' }),
      new RecordingUpstream(jsonAnswer(prompts)),
    );
    expect(filtered.json.result.prompts).toEqual([{ name: 'simple-prompt' }]);
  });
});

describe('decisions on calls', () => {
  it("refuses bob's call of a denied tool with a JSON-RPC error naming the rule, and the server never sees it", async () => {
    const upstream = new RecordingUpstream(jsonAnswer({}));
    const call = {
      jsonrpc: '2.0',
      id: 7,
      method: 'tools/call',
      params: { name: 'trigger-long-running-operation', arguments: { duration: 1 } },
    };
    const { response, json, records } = await gate(bob, post(call), upstream);
    expect(response.status).toBe(200);
    expect(json).toEqual({
      jsonrpc: '2.0',
      id: 7,
      error: {
        code: -32003,
        message:
          'Forbidden by policy: Denied by default: no rule allows tool trigger-long-running-operation for this person.',
        data: { decision: 'deny', rule: 'default-deny' },
      },
    });
    expect(upstream.received).toHaveLength(0);
    expect(records).toMatchObject([
      {
        method: 'tools/call',
        jsonRpcId: 7,
        decision: 'deny',
        rule: 'default-deny',
        outcome: 'denied',
        target: { kind: 'tool', name: 'trigger-long-running-operation' },
      },
    ]);
  });

  it("forwards alice's allowed call unchanged and records the server's answer", async () => {
    const upstream = new RecordingUpstream(
      jsonAnswer({ jsonrpc: '2.0', id: 3, result: { content: [{ type: 'text', text: 'Echo: hi' }] } }),
    );
    const call = {
      jsonrpc: '2.0',
      id: 3,
      method: 'tools/call',
      params: { name: 'echo', arguments: { message: 'a secret value' } },
    };
    const { json, records } = await gate(alice, post(call), upstream);
    expect(json.result.content[0].text).toBe('Echo: hi');
    expect(upstream.received.map((one) => JSON.parse(one.body))).toEqual([call]);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      event: 'mcp_request',
      user: { sub: 'alice-sub', email: 'alice@example.com', groups: ['engineering'] },
      clientId: 'client-1',
      method: 'tools/call',
      target: { kind: 'tool', name: 'echo' },
      decision: 'allow',
      rule: 'engineering-uses-everything',
      outcome: 'ok',
      status: 200,
    });
    expect(records[0]!.argumentsDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(JSON.stringify(records)).not.toContain('a secret value');
  });

  it('records a JSON-RPC error answer from the server as outcome error with its code', async () => {
    const upstream = new RecordingUpstream(
      jsonAnswer({ jsonrpc: '2.0', id: 4, error: { code: -32602, message: 'bad args' } }),
    );
    const { records } = await gate(
      alice,
      post({ jsonrpc: '2.0', id: 4, method: 'tools/call', params: { name: 'echo' } }),
      upstream,
    );
    expect(records[0]).toMatchObject({ outcome: 'error', errorCode: -32602 });
  });

  it('holds argument constraints: bob may ask the weather for Chicago, not for Los Angeles', async () => {
    const weather = (location: string) =>
      post({
        jsonrpc: '2.0',
        id: 5,
        method: 'tools/call',
        params: { name: 'get-structured-content', arguments: { location } },
      });
    const allowed = await gate(
      bob,
      weather('Chicago'),
      new RecordingUpstream(jsonAnswer({ jsonrpc: '2.0', id: 5, result: { content: [] } })),
    );
    expect(allowed.records[0]).toMatchObject({ decision: 'allow', rule: 'support-weather-for-offices' });
    const denied = await gate(bob, weather('Los Angeles'), new RecordingUpstream(jsonAnswer({})));
    expect(denied.json.error.message).toContain('only when argument "location" must be one of "New York", "Chicago"');
  });

  it('denies a method no rule names by the explicit unlistedMethods rule', async () => {
    const { json } = await gate(
      alice,
      post({ jsonrpc: '2.0', id: 6, method: 'experimental/do-anything' }),
      new RecordingUpstream(jsonAnswer({})),
    );
    expect(json.error.data).toEqual({ decision: 'deny', rule: 'unlistedMethods' });
  });

  it('refuses a denied notification with HTTP 403, since a notification gets no JSON-RPC answer', async () => {
    const upstream = new RecordingUpstream(jsonAnswer({}));
    const { response, json, records } = await gate(
      bob,
      post({ jsonrpc: '2.0', method: 'notifications/experimental' }),
      upstream,
    );
    expect(response.status).toBe(403);
    expect(json.error.data).toEqual({ decision: 'deny', rule: 'unlistedMethods' });
    expect(upstream.received).toHaveLength(0);
    expect(records).toMatchObject([{ jsonRpcId: null, outcome: 'denied', status: 403 }]);
  });

  it('decides every message of a batch: one denied message stops the batch, each request gets an answer', async () => {
    const upstream = new RecordingUpstream(jsonAnswer({}));
    const batch = [
      { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'echo', arguments: { message: 'x' } } },
      { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'get-env' } },
      { jsonrpc: '2.0', method: 'notifications/progress', params: {} },
    ];
    const { json, records } = await gate(alice, post(batch), upstream);
    expect(upstream.received).toHaveLength(0);
    expect(json.map((answer: { id: number; error: { data: unknown } }) => [answer.id, answer.error.data])).toEqual([
      [1, { decision: 'not_run' }],
      [2, { decision: 'deny', rule: 'no-environment-dumps' }],
    ]);
    expect(records.map((record) => record.outcome)).toEqual(['not_run', 'denied', 'not_run']);
  });

  it('forwards a batch of allowed messages and filters the lists in its answer', async () => {
    const upstream = new RecordingUpstream(jsonAnswer([toolsListAnswer, { jsonrpc: '2.0', id: 2, result: {} }]));
    const { json, records } = await gate(bob, post([toolsList, { jsonrpc: '2.0', id: 2, method: 'ping' }]), upstream);
    expect(json[0].result.tools.map((tool: { name: string }) => tool.name)).not.toContain('get-env');
    expect(records.map((record) => [record.method, record.rule, record.outcome])).toEqual([
      ['tools/list', 'listing', 'ok'],
      ['ping', 'protocol', 'ok'],
    ]);
  });
});

describe('Mcp-Method and Mcp-Name headers', () => {
  const call = { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'echo', arguments: {} } };

  it('refuses a method header that disagrees with the body with 400 and HeaderMismatch', async () => {
    const upstream = new RecordingUpstream(jsonAnswer({}));
    const { response, json } = await gate(alice, post(call, { 'Mcp-Method': 'tools/list' }), upstream);
    expect(response.status).toBe(400);
    expect(json.error.code).toBe(-32020);
    expect(upstream.received).toHaveLength(0);
  });

  it('refuses a name header that disagrees with the body (the header says echo, the body calls get-env)', async () => {
    const sneaky = { ...call, params: { name: 'get-env' } };
    const { response, json } = await gate(
      alice,
      post(sneaky, { 'Mcp-Method': 'tools/call', 'Mcp-Name': 'echo' }),
      new RecordingUpstream(jsonAnswer({})),
    );
    expect(response.status).toBe(400);
    expect(json.error.message).toContain('Mcp-Name says "echo"');
  });

  it('forwards when the headers agree with the body', async () => {
    const upstream = new RecordingUpstream(jsonAnswer({ jsonrpc: '2.0', id: 1, result: {} }));
    const { response } = await gate(alice, post(call, { 'Mcp-Method': 'tools/call', 'Mcp-Name': 'echo' }), upstream);
    expect(response.status).toBe(200);
    expect(upstream.received).toHaveLength(1);
  });
});

describe('bounded input', () => {
  const upstream = () => new RecordingUpstream(jsonAnswer({}));

  it.each([
    [
      'a wrong content type',
      () =>
        new Request('http://localhost:8788/mcp', {
          method: 'POST',
          headers: { 'Content-Type': 'text/plain' },
          body: '{}',
        }),
      415,
      -32600,
    ],
    ['malformed JSON', () => post('{"jsonrpc":"2.0",'), 400, -32700],
    ['an empty batch', () => post([]), 400, -32600],
    [
      'a batch longer than 32',
      () => post(Array.from({ length: 33 }, (_, id) => ({ jsonrpc: '2.0', id, method: 'ping' }))),
      400,
      -32600,
    ],
    [
      'JSON nested deeper than 64',
      () => post(`{"jsonrpc":"2.0","id":1,"method":"ping","params":{"a":${'['.repeat(100)}${']'.repeat(100)}}}`),
      400,
      -32600,
    ],
    ['a body that is not JSON-RPC', () => post({ hello: 'world' }), 400, -32600],
    [
      'invalid UTF-8',
      () =>
        new Request('http://localhost:8788/mcp', {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: new Uint8Array([0x7b, 0xff, 0x7d]),
        }),
      400,
      -32700,
    ],
  ])('refuses %s with a 4xx JSON-RPC error, and nothing is forwarded', async (_name, request, status, code) => {
    const recording = upstream();
    const { response, json, records } = await gate(alice, request(), recording);
    expect(response.status).toBe(status);
    expect(json.error.code).toBe(code);
    expect(recording.received).toHaveLength(0);
    expect(records).toMatchObject([{ decision: 'reject', outcome: 'rejected', status }]);
  });

  it('refuses a body over 4 MiB while streaming it, even without a Content-Length', async () => {
    const chunk = new Uint8Array(1024 * 1024).fill(0x20);
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ < 8) controller.enqueue(chunk);
        else controller.close();
      },
    });
    const request = new Request('http://localhost:8788/mcp', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body,
    });
    const { response } = await gate(alice, request, upstream());
    expect(response.status).toBe(413);
    expect(sent).toBeLessThan(8);
  });
});

describe('audit log', () => {
  it('writes each record as one JSON line with console.log, which Workers Logs collect', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      const upstream = new RecordingUpstream(jsonAnswer({ jsonrpc: '2.0', id: 1, result: {} }));
      const call = {
        jsonrpc: '2.0',
        id: 1,
        method: 'tools/call',
        params: { name: 'echo', arguments: { message: 'do not log me' } },
      };
      await runPolicyGate(post(call, { Authorization: 'Bearer secret-token-value' }), {
        user: alice,
        clientId: 'c',
        policies: toolPolicies,
        upstream,
      });
      const lines = log.mock.calls.map((args) => String(args[0]));
      expect(lines).toHaveLength(1);
      expect(JSON.parse(lines[0]!)).toMatchObject({
        event: 'mcp_request',
        method: 'tools/call',
        rule: 'engineering-uses-everything',
        outcome: 'ok',
      });
      expect(lines[0]).not.toContain('do not log me');
      expect(lines[0]).not.toContain('secret-token-value');
    } finally {
      log.mockRestore();
    }
  });
});
