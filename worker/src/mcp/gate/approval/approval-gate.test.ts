import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { ToolPolicies } from '../../../../../policies/model/tool-policy.ts';
import type { UserProps } from '../../../config.ts';
import { ApprovalDesks } from '../../../approvals/approval-desks.ts';
import { parseApprovalRef } from '../../../approvals/approval-ref.ts';
import { REQUEST_STATE_PREFIX } from '../../../approvals/request-state.ts';
import type { AuditRecord } from '../audit-record.ts';
import { runPolicyGate } from '../policy-gate.ts';
import type { ApprovalSettings } from './approval-call.ts';
import { gateApprovals } from './gate-approvals.ts';
import { APPROVAL_INPUT_KEY } from './modern-approval.ts';
import { GATEWAY_REQUEST_PREFIX } from './session-approval.ts';

// The gate's approval step in workerd, with the real ApprovalDesk Durable Object and an upstream
// that records every request that reaches it: a call that waits must not reach it before approval.
const secret = 'test-cookie-secret-0123456789abcdef0123';
const alice: UserProps = { sub: 'alice-sub', email: 'alice@example.com', name: 'Alice', groups: ['engineering'] };
const carol = { sub: 'carol-sub', email: 'carol@example.com', name: 'Carol', groups: ['engineering', 'sre'] };

const policies: ToolPolicies = {
  unlistedMethods: 'deny',
  rules: [
    { name: 'engineering', effect: 'allow', who: [{ group: 'engineering' }], tools: ['*'] },
    {
      name: 'confirm-fetches',
      effect: 'approve',
      who: [{ everyone: true }],
      tools: ['fetch-url'],
      by: 'self',
      text: 'It fetches.',
    },
    { name: 'sre-approves', effect: 'approve', who: [{ everyone: true }], tools: ['deploy'], by: 'group:sre' },
    {
      name: 'sre-approves-for-a-while',
      effect: 'approve',
      who: [{ everyone: true }],
      tools: ['restart'],
      by: 'group:sre',
      ttl: '10m',
    },
  ],
};

/** Records what reaches the server; answers calls with a result and initialize with a session. */
class RecordingUpstream {
  readonly received: Array<Record<string, unknown>> = [];
  async forward(request: Request): Promise<Response> {
    const message = await request.json<Record<string, unknown>>();
    this.received.push(message);
    if (message.method === 'initialize')
      return Response.json(
        { jsonrpc: '2.0', id: message.id, result: { protocolVersion: '2025-11-25', capabilities: {} } },
        { headers: { 'Mcp-Session-Id': `session-${crypto.randomUUID()}` } },
      );
    return Response.json({
      jsonrpc: '2.0',
      id: message.id,
      result: { content: [{ type: 'text', text: `ran ${JSON.stringify(message.params)}` }] },
    });
  }
  calls(): Array<Record<string, unknown>> {
    return this.received.filter((message) => message.method === 'tools/call');
  }
}

function settings(overrides: Partial<ApprovalSettings> = {}): ApprovalSettings {
  return {
    desks: new ApprovalDesks(env.APPROVAL_DESK!),
    secret,
    publicUrl: 'http://localhost:8788',
    waitMs: 60_000,
    clientName: async () => 'Test Client',
    roundMs: 50,
    ...overrides,
  };
}

async function gate(
  user: UserProps,
  body: unknown,
  upstream: RecordingUpstream,
  options: { headers?: Record<string, string>; approvals?: ApprovalSettings } = {},
) {
  const records: AuditRecord[] = [];
  const request = new Request('http://localhost:8788/mcp', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream', ...options.headers },
    body: JSON.stringify(body),
  });
  const response = await runPolicyGate(request, {
    user,
    clientId: 'client-1',
    policies,
    upstream,
    approvals: gateApprovals(options.approvals ?? settings()),
    audit: (record) => records.push(record as AuditRecord),
  });
  return { response, records };
}

const MODERN = '2026-07-28';
function modernCall(
  id: number,
  name: string,
  args: Record<string, unknown>,
  elicitation: unknown,
  extra: Record<string, unknown> = {},
) {
  return {
    jsonrpc: '2.0',
    id,
    method: 'tools/call',
    params: {
      name,
      arguments: args,
      _meta: {
        'io.modelcontextprotocol/protocolVersion': MODERN,
        'io.modelcontextprotocol/clientInfo': { name: 'test', version: '1' },
        'io.modelcontextprotocol/clientCapabilities': elicitation === undefined ? {} : { elicitation },
      },
      ...extra,
    },
  };
}
const modernHeaders = (name: string) => ({
  'Mcp-Method': 'tools/call',
  'Mcp-Name': name,
  'MCP-Protocol-Version': MODERN,
});

type InputRequired = {
  resultType: string;
  inputRequests?: Record<string, { method: string; params: Record<string, unknown> }>;
  requestState: string;
};

describe('self-confirmation, 2026-07-28 (input_required and a signed requestState)', () => {
  it('asks before anything runs, and runs the call once the person accepts, without the gateway’s state', async () => {
    const upstream = new RecordingUpstream();
    const first = await gate(
      alice,
      modernCall(1, 'fetch-url', { url: 'https://example.com/a', token: 'sk-live-abcdefghijklmnop' }, {}),
      upstream,
      { headers: modernHeaders('fetch-url') },
    );
    const asked = (await first.response.json<{ result: InputRequired }>()).result;
    expect(asked.resultType).toBe('input_required');
    const question = asked.inputRequests![APPROVAL_INPUT_KEY]!;
    expect(question.method).toBe('elicitation/create');
    expect(question.params).toMatchObject({ mode: 'form', requestedSchema: { type: 'object', properties: {} } });
    expect(question.params.message).toContain('Run the tool "fetch-url"');
    expect(question.params.message).toContain('url: "https://example.com/a"');
    expect(question.params.message).not.toContain('sk-live');
    expect(asked.requestState.startsWith(REQUEST_STATE_PREFIX)).toBe(true);
    expect(upstream.received).toEqual([]);
    expect(first.records[0]).toMatchObject({
      outcome: 'approval_required',
      approval: { rule: 'confirm-fetches', by: 'self', status: 'pending', ask: 'form' },
    });

    const retry = await gate(
      alice,
      modernCall(
        2,
        'fetch-url',
        { url: 'https://example.com/a', token: 'sk-live-abcdefghijklmnop' },
        {},
        {
          requestState: asked.requestState,
          inputResponses: { [APPROVAL_INPUT_KEY]: { action: 'accept', content: {} } },
        },
      ),
      upstream,
      { headers: modernHeaders('fetch-url') },
    );
    expect(await retry.response.json()).toMatchObject({ id: 2, result: { content: [{ type: 'text' }] } });
    expect(upstream.calls()).toHaveLength(1);
    const forwarded = upstream.calls()[0]!.params as Record<string, unknown>;
    expect(forwarded).not.toHaveProperty('requestState');
    expect(forwarded).not.toHaveProperty('inputResponses');
    expect(retry.records[0]).toMatchObject({
      outcome: 'ok',
      approval: { status: 'used', decidedBy: { email: 'alice@example.com' }, via: 'client' },
    });
    expect(retry.records[0]!.approval!.decidedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('runs, once approved, exactly the message the gate decided: its own serialization, roots taken out (docs/security.md 18, 21)', async () => {
    const upstream = new RecordingUpstream();
    const texts: string[] = [];
    const recording = {
      forward: async (request: Request) => {
        texts.push(await request.clone().text());
        return upstream.forward(request);
      },
    };
    const withRoots = (message: ReturnType<typeof modernCall>) => {
      const meta: Record<string, unknown> = message.params._meta;
      (meta['io.modelcontextprotocol/clientCapabilities'] as Record<string, unknown>).roots = { listChanged: true };
      return message;
    };
    const first = await gate(
      alice,
      withRoots(modernCall(1, 'fetch-url', { url: 'https://example.com/r' }, {})),
      upstream,
      {
        headers: modernHeaders('fetch-url'),
      },
    );
    const { requestState } = (await first.response.json<{ result: InputRequired }>()).result;
    const retry = await gate(
      alice,
      withRoots(
        modernCall(
          2,
          'fetch-url',
          { url: 'https://example.com/r' },
          {},
          { requestState, inputResponses: { [APPROVAL_INPUT_KEY]: { action: 'accept', content: {} } } },
        ),
      ),
      recording as unknown as RecordingUpstream,
      { headers: modernHeaders('fetch-url') },
    );
    expect(retry.response.status).toBe(200);
    expect(texts).toHaveLength(1);
    const forwarded = JSON.parse(texts[0]!) as { params: { _meta: Record<string, Record<string, unknown>> } };
    expect(texts[0]).toBe(JSON.stringify(forwarded));
    expect(forwarded.params._meta['io.modelcontextprotocol/clientCapabilities']).toEqual({ elicitation: {} });
    expect(retry.records[0]).toMatchObject({ outcome: 'ok', changed: 'roots-capability-removed' });
  });

  it.each(['decline', 'cancel'])(
    'ends the call with the person’s %s, and nothing reaches the server',
    async (action) => {
      const upstream = new RecordingUpstream();
      const first = await gate(
        alice,
        modernCall(1, 'fetch-url', { url: 'https://example.com/b' }, { form: {} }),
        upstream,
      );
      const { requestState } = (await first.response.json<{ result: InputRequired }>()).result;
      const retry = await gate(
        alice,
        modernCall(
          2,
          'fetch-url',
          { url: 'https://example.com/b' },
          { form: {} },
          { requestState, inputResponses: { [APPROVAL_INPUT_KEY]: { action } } },
        ),
        upstream,
      );
      const answer = await retry.response.json<{ error: { code: number; message: string } }>();
      expect(answer.error.code).toBe(-32004);
      expect(answer.error.message).toBe('Not run: you declined this call of "fetch-url" (rule "confirm-fetches").');
      expect(upstream.received).toEqual([]);
      expect(retry.records[0]).toMatchObject({ outcome: 'approval_declined', errorCode: -32004 });
    },
  );

  it('refuses a replayed, a forged and a transplanted requestState', async () => {
    const upstream = new RecordingUpstream();
    const args = { url: 'https://example.com/c' };
    const first = await gate(alice, modernCall(1, 'fetch-url', args, {}), upstream);
    const { requestState } = (await first.response.json<{ result: InputRequired }>()).result;
    const accept = { [APPROVAL_INPUT_KEY]: { action: 'accept' } };
    await gate(alice, modernCall(2, 'fetch-url', args, {}, { requestState, inputResponses: accept }), upstream);
    expect(upstream.calls()).toHaveLength(1);

    const replayed = await gate(
      alice,
      modernCall(3, 'fetch-url', args, {}, { requestState, inputResponses: accept }),
      upstream,
    );
    expect(await replayed.response.json()).toMatchObject({
      error: { code: -32602, data: { reason: 'invalid_request_state' } },
    });
    expect(replayed.records[0]).toMatchObject({
      decision: 'reject',
      outcome: 'rejected',
      approval: { status: 'rejected', reason: 'replayed' },
    });

    const forged = requestState.replace(/.$/, (last) => (last === 'A' ? 'B' : 'A'));
    const forgedAnswer = await gate(
      alice,
      modernCall(4, 'fetch-url', args, {}, { requestState: forged, inputResponses: accept }),
      upstream,
    );
    expect(await forgedAnswer.response.json()).toMatchObject({ error: { code: -32602 } });
    expect(forgedAnswer.records[0]).toMatchObject({ approval: { reason: 'forged' } });

    const otherArgs = await gate(
      alice,
      modernCall(5, 'fetch-url', { url: 'https://evil.example/' }, {}, { requestState, inputResponses: accept }),
      upstream,
    );
    expect(otherArgs.records[0]).toMatchObject({ approval: { reason: 'other-call' } });
    const otherPerson = await gate(
      { ...alice, sub: 'mallory-sub', email: 'mallory@example.com' },
      modernCall(6, 'fetch-url', args, {}, { requestState, inputResponses: accept }),
      upstream,
    );
    expect(otherPerson.records[0]).toMatchObject({ approval: { reason: 'other-person' } });
    expect(upstream.calls()).toHaveLength(1);
  });

  it('refuses a client without elicitation, saying why and what would work', async () => {
    const upstream = new RecordingUpstream();
    const { response, records } = await gate(alice, modernCall(1, 'fetch-url', {}, undefined), upstream);
    const answer = await response.json<{ error: { code: number; message: string } }>();
    expect(answer.error.code).toBe(-32003);
    expect(answer.error.message).toContain('needs your confirmation (rule "confirm-fetches")');
    expect(answer.error.message).toContain('did not declare MCP elicitation');
    expect(answer.error.message).toContain('docs/clients.md');
    expect(upstream.received).toEqual([]);
    expect(records[0]).toMatchObject({
      outcome: 'approval_unavailable',
      approval: { status: 'unavailable', reason: 'no-elicitation' },
    });
  });

  it('passes a retry with the bridge’s own requestState: it continues a call that already ran', async () => {
    const upstream = new RecordingUpstream();
    const { records } = await gate(
      alice,
      modernCall(1, 'fetch-url', {}, {}, { requestState: 'bridgeStateAbc123' }),
      upstream,
    );
    expect(upstream.calls()).toHaveLength(1);
    expect((upstream.calls()[0]!.params as Record<string, unknown>).requestState).toBe('bridgeStateAbc123');
    expect(records[0]).toMatchObject({ outcome: 'ok', approval: { status: 'continued' } });
  });
});

describe('group approval, 2026-07-28', () => {
  it('shows a URL-mode client the approval page and runs the call once someone in the group approves', async () => {
    const upstream = new RecordingUpstream();
    const first = await gate(alice, modernCall(1, 'deploy', { env: 'prod' }, { url: {} }), upstream);
    const asked = (await first.response.json<{ result: InputRequired }>()).result;
    const question = asked.inputRequests![APPROVAL_INPUT_KEY]!;
    expect(question.params).toMatchObject({ mode: 'url' });
    const url = new URL(question.params.url as string);
    expect(url.origin + url.pathname.split('/').slice(0, 2).join('/')).toBe('http://localhost:8788/approvals');
    expect(question.params.message).toContain('approval by someone in the group "sre"');

    // Still pending: the retry waits one round and asks again, with a fresh state and no question.
    const early = await gate(
      alice,
      modernCall(
        2,
        'deploy',
        { env: 'prod' },
        { url: {} },
        { requestState: asked.requestState, inputResponses: { [APPROVAL_INPUT_KEY]: { action: 'accept' } } },
      ),
      upstream,
    );
    const again = (await early.response.json<{ result: InputRequired }>()).result;
    expect(again).toMatchObject({ resultType: 'input_required' });
    expect(again.inputRequests).toBeUndefined();
    expect(upstream.received).toEqual([]);

    const ref = (await parseApprovalRef(url.pathname.split('/').at(-1)!, secret))!;
    const desk = new ApprovalDesks(env.APPROVAL_DESK!).byId(ref.desk)!;
    expect(await desk.decide(ref.id, carol, 'approve')).toMatchObject({ approval: { status: 'approved' } });
    const retry = await gate(
      alice,
      modernCall(3, 'deploy', { env: 'prod' }, { url: {} }, { requestState: again.requestState }),
      upstream,
    );
    expect(await retry.response.json()).toMatchObject({ id: 3, result: {} });
    expect(upstream.calls()).toHaveLength(1);
    expect(retry.records[0]).toMatchObject({
      approval: { by: 'group:sre', decidedBy: { email: 'carol@example.com' }, via: 'page', status: 'used' },
    });
  });

  it('works for a client without elicitation: a state to retry with, an approver who finds the call', async () => {
    const upstream = new RecordingUpstream();
    const first = await gate(alice, modernCall(1, 'deploy', { env: 'staging' }, undefined), upstream);
    const asked = (await first.response.json<{ result: InputRequired }>()).result;
    expect(asked.inputRequests).toBeUndefined();
    const desks = new ApprovalDesks(env.APPROVAL_DESK!);
    const pending = await desks.named('group:sre').stub.pending();
    const mine = pending.find((approval) => approval.argumentsShown === 'env: "staging"')!;
    await desks.named('group:sre').stub.decide(mine.id, carol, 'deny');
    const retry = await gate(
      alice,
      modernCall(2, 'deploy', { env: 'staging' }, undefined, { requestState: asked.requestState }),
      upstream,
    );
    expect(await retry.response.json()).toMatchObject({
      error: {
        code: -32004,
        message: 'Not run: carol@example.com denied this call of "deploy" (rule "sre-approves").',
      },
    });
    expect(retry.records[0]).toMatchObject({ outcome: 'approval_denied' });
    expect(upstream.received).toEqual([]);
  });

  it('fails cleanly when nobody decides within the wait', async () => {
    const upstream = new RecordingUpstream();
    const approvals = settings({ waitMs: 1_000 });
    const first = await gate(alice, modernCall(1, 'deploy', { env: 'qa' }, undefined), upstream, { approvals });
    const { requestState } = (await first.response.json<{ result: InputRequired }>()).result;
    let answer: { error?: { code: number; message: string }; result?: InputRequired } = {};
    // Each retry waits one round (50 ms here) until the desk says the approval expired.
    for (let round = 0; round < 100 && !answer.error; round++) {
      const retry = await gate(
        alice,
        modernCall(2 + round, 'deploy', { env: 'qa' }, undefined, {
          requestState: answer.result?.requestState ?? requestState,
        }),
        upstream,
        { approvals },
      );
      answer = await retry.response.json();
    }
    expect(answer.error).toMatchObject({
      code: -32008,
      message:
        'Not run: nobody in the group "sre" approved this call of "deploy" (rule "sre-approves") within 1 second.',
    });
    expect(upstream.received).toEqual([]);
  });

  it('lets an approval with a ttl cover the same call again, named in the audit record', async () => {
    const upstream = new RecordingUpstream();
    const args = { service: `api-${crypto.randomUUID()}` };
    const first = await gate(alice, modernCall(1, 'restart', args, undefined), upstream);
    const { requestState } = (await first.response.json<{ result: InputRequired }>()).result;
    const desks = new ApprovalDesks(env.APPROVAL_DESK!);
    const pending = (await desks.named('group:sre').stub.pending()).find((approval) =>
      approval.argumentsShown.includes(args.service),
    )!;
    await desks.named('group:sre').stub.decide(pending.id, carol, 'approve');
    await gate(alice, modernCall(2, 'restart', args, undefined, { requestState }), upstream);
    const again = await gate(alice, modernCall(3, 'restart', args, undefined), upstream);
    expect(await again.response.json()).toMatchObject({ id: 3, result: {} });
    expect(upstream.calls()).toHaveLength(2);
    expect(again.records[0]).toMatchObject({
      approval: { status: 'grant', via: 'grant', id: pending.id, decidedBy: { email: 'carol@example.com' } },
    });
  });
});

/** Reads a gateway event stream one JSON message at a time (comments skipped). */
class EventReader {
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>;
  readonly #decoder = new TextDecoder();
  #buffer = '';
  constructor(response: Response) {
    this.#reader = (response.body as ReadableStream<Uint8Array>).getReader();
  }
  async next(): Promise<Record<string, unknown> | undefined> {
    for (;;) {
      const end = this.#buffer.indexOf('\n\n');
      if (end !== -1) {
        const event = this.#buffer.slice(0, end);
        this.#buffer = this.#buffer.slice(end + 2);
        const data = event
          .split('\n')
          .filter((line) => line.startsWith('data: '))
          .map((line) => line.slice(6))
          .join('\n');
        if (data) return JSON.parse(data) as Record<string, unknown>;
        continue;
      }
      const chunk = await this.#reader.read();
      if (chunk.done) return undefined;
      this.#buffer += this.#decoder.decode(chunk.value, { stream: true });
    }
  }
  cancel(): Promise<void> {
    return this.#reader.cancel();
  }
}

async function openSession(upstream: RecordingUpstream, user: UserProps, elicitation: unknown): Promise<string> {
  const { response } = await gate(
    user,
    {
      jsonrpc: '2.0',
      id: 0,
      method: 'initialize',
      params: {
        protocolVersion: '2025-11-25',
        capabilities: elicitation === undefined ? {} : { elicitation },
        clientInfo: { name: 'test', version: '1' },
      },
    },
    upstream,
  );
  return response.headers.get('mcp-session-id')!;
}

const sessionCall = (id: number, name: string, args: Record<string, unknown>, meta: Record<string, unknown> = {}) => ({
  jsonrpc: '2.0',
  id,
  method: 'tools/call',
  params: { name, arguments: args, ...(Object.keys(meta).length ? { _meta: meta } : {}) },
});

describe('self-confirmation, 2025 sessions (a question on the call’s stream)', () => {
  it('puts elicitation/create on the stream, takes the answer out of the next POST, then streams the server’s answer', async () => {
    const upstream = new RecordingUpstream();
    const session = await openSession(upstream, alice, {});
    const { response } = await gate(alice, sessionCall(7, 'fetch-url', { url: 'https://example.com/d' }), upstream, {
      headers: { 'Mcp-Session-Id': session },
    });
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    const events = new EventReader(response);
    const question = (await events.next())!;
    expect(question).toMatchObject({ method: 'elicitation/create', params: { mode: 'form' } });
    expect(String(question.id).startsWith(GATEWAY_REQUEST_PREFIX)).toBe(true);
    expect(upstream.calls()).toEqual([]);

    const answer = await gate(
      alice,
      { jsonrpc: '2.0', id: question.id, result: { action: 'accept', content: {} } },
      upstream,
      { headers: { 'Mcp-Session-Id': session } },
    );
    expect(answer.response.status).toBe(202);
    expect(upstream.received.filter((message) => message.id === question.id)).toEqual([]);
    expect(answer.records[0]).toMatchObject({ method: null, outcome: 'ok', approval: { status: 'approved' } });

    expect(await events.next()).toMatchObject({ id: 7, result: { content: [{ type: 'text' }] } });
    expect(await events.next()).toBeUndefined();
    expect(upstream.calls()).toHaveLength(1);
  });

  it('ends the stream with the call’s error when the person declines', async () => {
    const upstream = new RecordingUpstream();
    const session = await openSession(upstream, alice, { form: {}, url: {} });
    const { response, records } = await gate(alice, sessionCall(8, 'fetch-url', {}), upstream, {
      headers: { 'Mcp-Session-Id': session },
    });
    const events = new EventReader(response);
    const question = (await events.next())!;
    await gate(alice, { jsonrpc: '2.0', id: question.id, result: { action: 'decline' } }, upstream, {
      headers: { 'Mcp-Session-Id': session },
    });
    expect(await events.next()).toMatchObject({ id: 8, error: { code: -32004 } });
    expect(records[0]).toMatchObject({ outcome: 'approval_declined' });
    expect(upstream.calls()).toEqual([]);
  });

  it('does not take an answer from another person', async () => {
    const upstream = new RecordingUpstream();
    const session = await openSession(upstream, alice, {});
    const { response } = await gate(alice, sessionCall(9, 'fetch-url', {}), upstream, {
      headers: { 'Mcp-Session-Id': session },
    });
    const events = new EventReader(response);
    const question = (await events.next())!;
    const forged = await gate(
      { ...alice, sub: 'mallory-sub', email: 'mallory@example.com' },
      { jsonrpc: '2.0', id: question.id, result: { action: 'accept' } },
      upstream,
    );
    expect(forged.records[0]).toMatchObject({ outcome: 'ok', approval: { status: 'pending' } });
    await events.cancel();
    expect(upstream.calls()).toEqual([]);
  });

  it('refuses when the session’s client declared no elicitation', async () => {
    const upstream = new RecordingUpstream();
    const session = await openSession(upstream, alice, undefined);
    const { response } = await gate(alice, sessionCall(10, 'fetch-url', {}), upstream, {
      headers: { 'Mcp-Session-Id': session },
    });
    expect(await response.json()).toMatchObject({ id: 10, error: { code: -32003 } });
    // A session id another person opened finds nothing of theirs either.
    const stolen = await gate(carol, sessionCall(11, 'fetch-url', {}), upstream, {
      headers: { 'Mcp-Session-Id': await openSession(upstream, alice, {}) },
    });
    expect(await stolen.response.json()).toMatchObject({ id: 11, error: { code: -32003 } });
    expect(upstream.calls()).toEqual([]);
  });
});

describe('group approval, 2025 sessions', () => {
  it('tells a client with progress what it waits for, and runs the call when an approver decides', async () => {
    const upstream = new RecordingUpstream();
    const session = await openSession(upstream, alice, undefined);
    const { response, records } = await gate(
      alice,
      sessionCall(12, 'deploy', { env: 'eu' }, { progressToken: 'p1' }),
      upstream,
      { headers: { 'Mcp-Session-Id': session } },
    );
    const events = new EventReader(response);
    const progress = (await events.next())!;
    expect(progress).toMatchObject({ method: 'notifications/progress', params: { progressToken: 'p1', progress: 1 } });
    const pageUrl = /(http:\/\/localhost:8788\/approvals\/\S+)$/.exec(
      (progress.params as { message: string }).message,
    )![1]!;
    const ref = (await parseApprovalRef(pageUrl.split('/').at(-1)!, secret))!;
    await new ApprovalDesks(env.APPROVAL_DESK!).byId(ref.desk)!.decide(ref.id, carol, 'approve');
    let answer = await events.next();
    while (answer?.method === 'notifications/progress') answer = await events.next();
    expect(answer).toMatchObject({ id: 12, result: {} });
    expect(upstream.calls()).toHaveLength(1);
    expect(records.at(-1)).toMatchObject({ outcome: 'ok', approval: { decidedBy: { email: 'carol@example.com' } } });
  });

  it('withdraws the approval when the client leaves, and never runs the call', async () => {
    const upstream = new RecordingUpstream();
    const session = await openSession(upstream, alice, { url: {} });
    const { response, records } = await gate(alice, sessionCall(13, 'deploy', { env: 'us' }), upstream, {
      headers: { 'Mcp-Session-Id': session },
    });
    const events = new EventReader(response);
    const question = (await events.next())!;
    expect(question).toMatchObject({ method: 'elicitation/create', params: { mode: 'url' } });
    await events.cancel();
    const ref = (await parseApprovalRef((question.params as { elicitationId: string }).elicitationId, secret))!;
    const desk = new ApprovalDesks(env.APPROVAL_DESK!).byId(ref.desk)!;
    expect(await desk.show(ref.id)).toMatchObject({ status: 'withdrawn' });
    expect(await desk.decide(ref.id, carol, 'approve')).toMatchObject({ refused: 'not-pending' });
    expect(records.at(-1)).toMatchObject({ outcome: 'client_closed' });
    expect(upstream.calls()).toEqual([]);
  });

  it('withdraws the approval when the client cancels the call, so nobody can approve it any more', async () => {
    const upstream = new RecordingUpstream();
    const session = await openSession(upstream, alice, undefined);
    const headers = { 'Mcp-Session-Id': session };
    const { response } = await gate(
      alice,
      sessionCall(16, 'deploy', { env: 'cancelled' }, { progressToken: 'p2' }),
      upstream,
      { headers },
    );
    const events = new EventReader(response);
    const progress = (await events.next())!;
    const pageUrl = /(http:\/\/localhost:8788\/approvals\/\S+)$/.exec(
      (progress.params as { message: string }).message,
    )![1]!;
    await gate(
      alice,
      { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 16, reason: 'timeout' } },
      upstream,
      { headers },
    );
    const ref = (await parseApprovalRef(pageUrl.split('/').at(-1)!, secret))!;
    const desk = new ApprovalDesks(env.APPROVAL_DESK!).byId(ref.desk)!;
    expect(await desk.show(ref.id)).toMatchObject({ status: 'withdrawn' });
    expect(await desk.decide(ref.id, carol, 'approve')).toMatchObject({ refused: 'not-pending' });
    let last = await events.next();
    while (last?.method === 'notifications/progress') last = await events.next();
    expect(last).toMatchObject({ id: 16, error: { code: -32004 } });
    expect(upstream.calls()).toEqual([]);
  });

  it('refuses a call that needs approval inside a batch, and runs nothing of the batch', async () => {
    const upstream = new RecordingUpstream();
    const { response } = await gate(alice, [sessionCall(14, 'deploy', {}), sessionCall(15, 'echo', {})], upstream);
    const answers = await response.json<Array<{ id: number; error: { message: string } }>>();
    expect(answers.find((answer) => answer.id === 14)!.error.message).toContain('must be sent on its own');
    expect(upstream.received).toEqual([]);
  });
});
