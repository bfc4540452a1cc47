import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { ToolPolicies } from '../../../../../policies/model/tool-policy.ts';
import type { UserProps } from '../../../config.ts';
import type { Upstream } from '../../upstream.ts';
import type { AuditRecord } from '../audit-record.ts';
import { runPolicyGate } from '../policy-gate.ts';
import { memoryCallLimiter, type CallLimiter } from './limit-calls.ts';
import { durableObjectLimiter } from './tool-rate-limiter.ts';

// Rate limits of tool rules through the gate, counted by the real ToolRateLimiter Durable Object
// in workerd (and, for the window, by the same counting over a clock the test controls).
const policies: ToolPolicies = {
  unlistedMethods: 'deny',
  rules: [
    {
      name: 'two-echoes-a-minute',
      effect: 'allow',
      who: [{ everyone: true }],
      tools: ['echo'],
      rateLimit: { calls: 2, per: '1m' },
    },
    {
      name: 'sums-per-client',
      effect: 'allow',
      who: [{ everyone: true }],
      tools: ['get-sum'],
      rateLimit: { calls: 1, per: '1h', perClient: true },
    },
    { name: 'unlimited', effect: 'allow', who: [{ everyone: true }], tools: ['get-tiny-image'] },
  ],
};

const person = (name: string): UserProps => ({
  sub: `${name}-${crypto.randomUUID()}`,
  email: `${name}@example.com`,
  name,
  groups: [],
});

class CountingServer implements Upstream {
  calls = 0;
  async forward(request: Request): Promise<Response> {
    const message = JSON.parse(await request.text()) as { id: number };
    this.calls++;
    return Response.json({ jsonrpc: '2.0', id: message.id, result: { content: [] } });
  }
}

interface Answer {
  id?: number;
  result?: unknown;
  error?: { code: number; message: string; data?: { decision?: string; rule?: string; retryAfterSeconds?: number } };
}

function gate(limiter: CallLimiter | undefined, server = new CountingServer()) {
  const records: AuditRecord[] = [];
  const send = async (user: UserProps, body: unknown, clientId = 'client-1') => {
    const response = await runPolicyGate(
      new Request('http://localhost:8788/mcp', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' },
        body: JSON.stringify(body),
      }),
      {
        user,
        clientId,
        policies,
        upstream: server,
        rateLimiter: limiter,
        audit: (record) => records.push(record as AuditRecord),
      },
    );
    return { response, json: await response.json<Answer & Answer[]>() };
  };
  const call = (user: UserProps, name: string, clientId?: string) =>
    send(user, { jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name, arguments: {} } }, clientId);
  return { send, call, server, records };
}

describe('rate limits, counted by the ToolRateLimiter Durable Object', () => {
  const limiter = durableObjectLimiter(env.TOOL_RATE_LIMITER!);

  it('refuses the call over the limit with the rule and when to retry, and the server never sees it', async () => {
    const { call, server, records } = gate(limiter);
    const alice = person('alice');
    expect((await call(alice, 'echo')).json.result).toBeDefined();
    expect((await call(alice, 'echo')).json.result).toBeDefined();
    const over = await call(alice, 'echo');
    expect(over.json.error?.code).toBe(-32029);
    expect(over.json.error?.message).toContain(
      'Rate limited: rule "two-echoes-a-minute" allows 2 calls per 1m per person and tool, and tool echo reached it; retry in',
    );
    expect(over.json.error?.data).toMatchObject({ decision: 'rate_limited', rule: 'two-echoes-a-minute' });
    const retry = over.json.error!.data!.retryAfterSeconds!;
    expect(retry).toBeGreaterThan(0);
    expect(retry).toBeLessThanOrEqual(60);
    expect(over.response.headers.get('Retry-After')).toBe(String(retry));
    expect(server.calls).toBe(2);
    expect(records.at(-1)).toMatchObject({
      decision: 'deny',
      rule: 'two-echoes-a-minute',
      outcome: 'rate_limited',
      errorCode: -32029,
      target: { kind: 'tool', name: 'echo' },
    });
    // Another tool under no limit is not affected.
    expect((await call(alice, 'get-tiny-image')).json.result).toBeDefined();
  });

  it('counts two people apart', async () => {
    const { call } = gate(limiter);
    const alice = person('alice');
    const bob = person('bob');
    await call(alice, 'echo');
    await call(alice, 'echo');
    expect((await call(alice, 'echo')).json.error?.code).toBe(-32029);
    expect((await call(bob, 'echo')).json.result).toBeDefined();
    expect((await call(bob, 'echo')).json.result).toBeDefined();
    expect((await call(bob, 'echo')).json.error?.code).toBe(-32029);
  });

  it('counts each client apart with perClient', async () => {
    const { call } = gate(limiter);
    const alice = person('alice');
    expect((await call(alice, 'get-sum', 'laptop')).json.result).toBeDefined();
    expect((await call(alice, 'get-sum', 'laptop')).json.error?.data?.rule).toBe('sums-per-client');
    expect((await call(alice, 'get-sum', 'phone')).json.result).toBeDefined();
  });

  it('refuses a whole batch over the limit without counting any of it', async () => {
    const { send, call, server } = gate(limiter);
    const alice = person('alice');
    const batch = [1, 2, 3].map((id) => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'echo' } }));
    const refused = await send(alice, batch);
    expect(refused.json.map((answer) => answer.error?.data?.decision)).toEqual(['not_run', 'not_run', 'rate_limited']);
    expect(server.calls).toBe(0);
    expect((await call(alice, 'echo')).json.result).toBeDefined();
    expect((await call(alice, 'echo')).json.result).toBeDefined();
  });
});

describe('the rate-limit window', () => {
  it('is a sliding window: a call is possible again exactly when the oldest leaves it', async () => {
    let now = 1_000_000;
    const { call } = gate(memoryCallLimiter(() => now));
    const alice = person('alice');
    await call(alice, 'echo');
    now += 30_000;
    await call(alice, 'echo');
    now += 29_999; // 59.999 s after the first call
    const over = await call(alice, 'echo');
    expect(over.json.error?.data?.retryAfterSeconds).toBe(1);
    now += 1; // the first call leaves the window
    expect((await call(alice, 'echo')).json.result).toBeDefined();
    expect((await call(alice, 'echo')).json.error?.data?.retryAfterSeconds).toBe(30);
  });

  it('fails closed when a rule has a limit but the gateway has nothing to count with', async () => {
    const { call, server } = gate(undefined);
    const refused = await call(person('alice'), 'echo');
    expect(refused.json.error?.message).toContain('no TOOL_RATE_LIMITER binding');
    expect(server.calls).toBe(0);
  });
});
