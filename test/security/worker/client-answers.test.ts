/**
 * Client answers are decided too (docs/security.md 21): a client's answer to the server's
 * `roots/list` tells a file server where it may work, so a client (or whoever controls it) could
 * widen a sandbox to `file:///`. With the shipped policies nobody may give roots: the gateway takes
 * the capability out of the handshake, in both protocol shapes, and empties any roots answer the
 * client sends anyway. Where a policy allows some roots, only those pass.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ToolPolicies } from '../../../policies/model/tool-policy.ts';
import type { AuditRecord } from '../../../worker/src/mcp/gate/audit-record.ts';
import { runPolicyGate } from '../../../worker/src/mcp/gate/policy-gate.ts';
import { FakeAccess } from './fake-access.ts';
import { mcpRequest, signIn } from './browser.ts';

const CAPABILITIES = 'io.modelcontextprotocol/clientCapabilities';

/** The parts of a forwarded message these tests look at. */
interface Forwarded {
  params: { capabilities?: unknown; _meta?: unknown; inputResponses?: unknown };
  result: { roots: unknown[] };
}

describe('with the shipped policies, nobody gives the server roots', () => {
  let access: FakeAccess;
  let token: string;
  beforeEach(async () => {
    access = await FakeAccess.start();
    token = (await signIn(access)).access_token;
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  const forwarded = () => JSON.parse(access.upstreamRequests.at(-1)!.body) as Forwarded;

  it('initialize reaches the server without the roots capability; the rest of the handshake is intact', async () => {
    const initialize = {
      jsonrpc: '2.0',
      id: 0,
      method: 'initialize',
      params: {
        protocolVersion: '2025-11-25',
        capabilities: { roots: { listChanged: true }, sampling: {}, elicitation: {} },
        clientInfo: { name: 'attacker', version: '1' },
      },
    };
    expect((await mcpRequest(token, { body: JSON.stringify(initialize) })).status).toBe(200);
    expect(forwarded().params).toEqual({
      protocolVersion: '2025-11-25',
      capabilities: { sampling: {}, elicitation: {} },
      clientInfo: { name: 'attacker', version: '1' },
    });
  });

  it('a 2026-07-28 request reaches the server without roots among its client capabilities', async () => {
    const call = {
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/call',
      params: {
        name: 'echo',
        arguments: { message: 'hi' },
        _meta: { [CAPABILITIES]: { roots: {}, sampling: {} }, progressToken: 3 },
      },
    };
    await mcpRequest(token, {
      body: JSON.stringify(call),
      headers: { 'Mcp-Method': 'tools/call', 'Mcp-Name': 'echo' },
    });
    expect(forwarded().params._meta).toEqual({ [CAPABILITIES]: { sampling: {} }, progressToken: 3 });
  });

  it('a roots answer the server never should have had is emptied on its way', async () => {
    const answer = { jsonrpc: '2.0', id: 'roots-1', result: { roots: [{ uri: 'file:///', name: 'everything' }] } };
    await mcpRequest(token, { body: JSON.stringify(answer) });
    expect(forwarded()).toEqual({ jsonrpc: '2.0', id: 'roots-1', result: { roots: [] } });
  });

  it('roots in a 2026-07-28 retry (inputResponses) are emptied; other answers pass', async () => {
    const retry = {
      jsonrpc: '2.0',
      id: 2,
      method: 'tools/call',
      params: {
        name: 'echo',
        arguments: { message: 'hi' },
        requestState: 'abc',
        inputResponses: {
          'ask-1': { roots: [{ uri: 'file:///' }] },
          'ask-2': { action: 'accept', content: { ok: true } },
        },
      },
    };
    await mcpRequest(token, { body: JSON.stringify(retry) });
    expect(forwarded().params.inputResponses).toEqual({
      'ask-1': { roots: [] },
      'ask-2': { action: 'accept', content: { ok: true } },
    });
  });
});

describe('where a policy allows some roots, only those pass', () => {
  const policies: ToolPolicies = {
    unlistedMethods: 'deny',
    rules: [
      { name: 'workspace-roots', effect: 'allow', who: [{ group: 'engineering' }], roots: ['file:///workspace/*'] },
      { name: 'no-secret-roots', effect: 'deny', who: [{ everyone: true }], roots: ['file:///workspace/secrets*'] },
    ],
  };

  async function gate(groups: string[], message: unknown): Promise<{ seen: Forwarded; records: AuditRecord[] }> {
    let seen: unknown;
    const records: AuditRecord[] = [];
    const response = await runPolicyGate(
      new Request('http://localhost:8788/mcp', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' },
        body: JSON.stringify(message),
      }),
      {
        user: { sub: 's', email: 'dana@example.com', name: 'Dana', groups },
        clientId: 'c',
        policies,
        upstream: {
          forward: async (request) => {
            seen = await request.json();
            return new Response(null, { status: 202 });
          },
        },
        audit: (record) => {
          if (record.event === 'mcp_request') records.push(record);
        },
      },
    );
    await response.arrayBuffer();
    return { seen: seen as Forwarded, records };
  }

  it('keeps allowed roots, drops the rest (outside, denied, climbing out), and says so in the audit', async () => {
    const roots = [
      { uri: 'file:///workspace/app', name: 'app' },
      { uri: 'file:///' },
      { uri: 'file:///workspace/secrets' },
      { uri: 'file:///workspace/app/../../etc' },
      { uri: 'file:///workspace/.\t./etc' },
      { name: 'no uri' },
      'file:///workspace/x',
    ];
    const { seen, records } = await gate(['engineering'], { jsonrpc: '2.0', id: 9, result: { roots } });
    expect(seen.result.roots).toEqual([{ uri: 'file:///workspace/app', name: 'app' }]);
    expect(records[0]).toMatchObject({ decision: 'allow', changed: 'roots-filtered' });
  });

  it('keeps the capability for a person who may give roots, and takes it out for one who may not', async () => {
    const initialize = { jsonrpc: '2.0', id: 0, method: 'initialize', params: { capabilities: { roots: {} } } };
    expect((await gate(['engineering'], initialize)).seen.params.capabilities).toEqual({ roots: {} });
    const other = await gate(['support'], initialize);
    expect(other.seen.params.capabilities).toEqual({});
    expect(other.records[0]).toMatchObject({ rule: 'protocol', changed: 'roots-capability-removed' });
  });
});
