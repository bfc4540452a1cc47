/**
 * Approvals through the whole local stack (docs/policies.md, "Approvals"): real MCP clients (SDK v1
 * on the 2025-11-25 sessions, SDK v2 on the stateless 2026-07-28 revision) call the two tools the
 * shipped policies make wait (`gzip-file-as-resource`: the caller confirms; `trigger-long-running-
 * operation`: someone in the group sre approves), and carol, the dev user in sre, decides on the
 * approval page after signing in at the Access stand-in. The stdio server records every message it
 * receives, so each test shows that the call had not reached it while it waited, and reached it
 * once, after the approval.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client as V2Client, StreamableHTTPClientTransport as V2Transport } from '@modelcontextprotocol/client';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ElicitRequestSchema, type ElicitResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decideApproval } from '../../dev/client/decide-approval.ts';
import { obtainTokens } from '../../dev/client/obtain-tokens.ts';
import { startPrivateStack } from '../../dev/stack/private-stack.ts';
import { callsReceived, recordingServerCommand } from '../support/recording-server.ts';

/** What a test client declares about elicitation: modes as empty objects, as the specification writes them. */
type Elicitation = { form?: Record<string, never>; url?: Record<string, never> };

const CONFIRMED_TOOL = 'gzip-file-as-resource';
const GROUP_TOOL = 'trigger-long-running-operation';

let stack: Awaited<ReturnType<typeof startPrivateStack>>;
let logDir: string;
let received: string;
const tokens = new Map<string, string>();

beforeAll(async () => {
  logDir = await mkdtemp(join(tmpdir(), 'secure-mcp-approvals-'));
  received = join(logDir, 'received.jsonl');
  stack = await startPrivateStack({
    serverCommand: recordingServerCommand(received),
    workerVars: { APPROVAL_WAIT: '2m' },
  });
});

afterAll(async () => {
  await stack?.cleanup();
  if (logDir) await rm(logDir, { recursive: true, force: true });
});

async function tokenOf(email: string): Promise<string> {
  if (!tokens.has(email)) tokens.set(email, (await obtainTokens(stack.mcpUrl, email)).access_token);
  return tokens.get(email)!;
}

/** An SDK v1 client (2025-11-25, a session) that declares `elicitation` as given and answers with `answer`. */
async function v1Client(
  email: string,
  elicitation: Elicitation | undefined,
  answer?: (request: { params: Record<string, unknown> }) => Promise<ElicitResult>,
) {
  const client = new Client(
    { name: 'approvals-e2e', version: '1.0.0' },
    { capabilities: elicitation ? { elicitation } : {} },
  );
  if (answer)
    client.setRequestHandler(ElicitRequestSchema, (request) => answer(request as { params: Record<string, unknown> }));
  await client.connect(
    new StreamableHTTPClientTransport(new URL(stack.mcpUrl), {
      requestInit: { headers: { Authorization: `Bearer ${await tokenOf(email)}` } },
    }),
  );
  return client;
}

/** An SDK v2 client pinned to the stateless 2026-07-28 revision. */
async function v2Client(
  email: string,
  elicitation: Elicitation | undefined,
  answer?: (request: { params: Record<string, unknown> }) => Promise<ElicitResult>,
  onResponse?: (body: string) => void,
) {
  const client = new V2Client(
    { name: 'approvals-e2e-v2', version: '1.0.0' },
    { versionNegotiation: { mode: { pin: '2026-07-28' } }, capabilities: elicitation ? { elicitation } : {} },
  );
  if (answer)
    client.setRequestHandler('elicitation/create', (request) => answer(request as { params: Record<string, unknown> }));
  const token = await tokenOf(email);
  await client.connect(
    new V2Transport(new URL(stack.mcpUrl), {
      fetch: async (url, init) => {
        const headers = new Headers(init?.headers);
        headers.set('Authorization', `Bearer ${token}`);
        const response = await fetch(url, { ...init, headers });
        if (onResponse && response.headers.get('content-type')?.startsWith('application/json'))
          onResponse(await response.clone().text());
        return response;
      },
    }),
  );
  return client;
}

const dataUrl = (text: string) => `data:text/plain,${encodeURIComponent(text)}`;

describe('the person confirms their own call (by: self)', () => {
  it.each([
    ['SDK v1, 2025-11-25 session', v1Client],
    ['SDK v2, 2026-07-28', v2Client],
  ] as const)('%s: asked before the server sees the call; it runs once accepted', async (_name, connect) => {
    const text = `confirm ${_name}`;
    let seenWhileAsked: number | undefined;
    let question = '';
    const client = await connect('alice@example.com', { form: {} }, async (request) => {
      question = String(request.params.message);
      seenWhileAsked = (await callsReceived(received, CONFIRMED_TOOL)).filter((call) =>
        JSON.stringify(call).includes(encodeURIComponent(text)),
      ).length;
      return { action: 'accept', content: {} };
    });
    try {
      const result = await client.callTool({
        name: CONFIRMED_TOOL,
        arguments: { name: 'note.txt.gz', data: dataUrl(text), outputType: 'resource' },
      });
      expect(result.isError).toBeFalsy();
      expect(question).toContain(`Run the tool "${CONFIRMED_TOOL}" with these arguments?`);
      expect(question).toContain('name: "note.txt.gz"');
      expect(question).toContain('The server will fetch this URL from its own network.');
      expect(seenWhileAsked).toBe(0);
      const calls = (await callsReceived(received, CONFIRMED_TOOL)).filter((call) =>
        JSON.stringify(call).includes(encodeURIComponent(text)),
      );
      expect(calls).toHaveLength(1);
      // What the server got is the call, without anything of the gateway's.
      expect(JSON.stringify(calls[0])).not.toMatch(/secure-mcp-approval|requestState|inputResponses/);
    } finally {
      await client.close();
    }
  });

  it.each([
    ['SDK v1', 'decline', v1Client],
    ['SDK v1', 'cancel', v1Client],
    ['SDK v2', 'decline', v2Client],
    ['SDK v2', 'cancel', v2Client],
  ] as const)('%s: a %s ends the call with an error, and the server never sees it', async (name, action, connect) => {
    const text = `${action} ${name}`;
    const client = await connect('alice@example.com', {}, async () => ({ action }));
    try {
      const refused = await client
        .callTool({ name: CONFIRMED_TOOL, arguments: { data: dataUrl(text) } })
        .catch((error: unknown) => error);
      expect(refused).toMatchObject({
        code: -32004,
        message: expect.stringContaining(`you declined this call of "${CONFIRMED_TOOL}" (rule "confirm-fetches")`),
      });
      expect(
        (await callsReceived(received, CONFIRMED_TOOL)).filter((call) =>
          JSON.stringify(call).includes(encodeURIComponent(text)),
        ),
      ).toEqual([]);
    } finally {
      await client.close();
    }
  });

  it.each([
    ['SDK v1', v1Client],
    ['SDK v2', v2Client],
  ] as const)('%s without elicitation: refused, saying why and what would work', async (name, connect) => {
    const client = await connect('alice@example.com', undefined);
    try {
      const refused = await client
        .callTool({ name: CONFIRMED_TOOL, arguments: { data: dataUrl(`no elicitation ${name}`) } })
        .catch((error: unknown) => error);
      expect(refused).toMatchObject({
        code: -32003,
        message: expect.stringContaining('did not declare MCP elicitation'),
      });
    } finally {
      await client.close();
    }
  });
});

describe('someone in the group approves (by: group:sre)', () => {
  it('SDK v1: the call waits with progress naming the page; carol approves; it runs once, afterwards', async () => {
    const client = await v1Client('alice@example.com', undefined);
    try {
      let approved: Promise<string> | undefined;
      let seenBeforeApproval: number | undefined;
      const result = await client.callTool({ name: GROUP_TOOL, arguments: { duration: 0.101, steps: 1 } }, undefined, {
        resetTimeoutOnProgress: true,
        onprogress: (progress) => {
          const pageUrl = /(http:\/\/localhost:\d+\/approvals\/\S+)$/.exec(progress.message ?? '')?.[1];
          if (pageUrl && !approved)
            approved = (async () => {
              seenBeforeApproval = (await callsReceived(received, GROUP_TOOL)).filter((call) =>
                JSON.stringify(call).includes('0.101'),
              ).length;
              return (await decideApproval(pageUrl, 'carol@example.com', 'approve')).html;
            })();
        },
      });
      expect(await approved).toContain('Approved</span> by carol@example.com');
      expect(result.isError).toBeFalsy();
      expect(seenBeforeApproval).toBe(0);
      expect(
        (await callsReceived(received, GROUP_TOOL)).filter((call) => JSON.stringify(call).includes('0.101')),
      ).toHaveLength(1);
    } finally {
      await client.close();
    }
  });

  it('SDK v2 with URL elicitation: the link is the approval page; a denial ends the call with the approver named', async () => {
    let seenWhileAsked: number | undefined;
    const client = await v2Client('alice@example.com', { url: {} }, async (request) => {
      seenWhileAsked = (await callsReceived(received, GROUP_TOOL)).filter((call) =>
        JSON.stringify(call).includes('0.102'),
      ).length;
      const page = await decideApproval(String(request.params.url), 'carol@example.com', 'deny');
      expect(page.html).toContain('Denied</span> by carol@example.com');
      return { action: 'accept' };
    });
    try {
      const refused = await client
        .callTool({ name: GROUP_TOOL, arguments: { duration: 0.102, steps: 1 } })
        .catch((error: unknown) => error);
      expect(refused).toMatchObject({
        code: -32004,
        message: `Not run: carol@example.com denied this call of "${GROUP_TOOL}" (rule "long-operations-need-sre").`,
      });
      expect(seenWhileAsked).toBe(0);
      expect(
        (await callsReceived(received, GROUP_TOOL)).filter((call) => JSON.stringify(call).includes('0.102')),
      ).toEqual([]);
    } finally {
      await client.close();
    }
  });

  it('SDK v2 without elicitation: the approver finds the call on /approvals; the retry runs it', async () => {
    let asked!: () => void;
    const inputRequired = new Promise<void>((resolve) => (asked = resolve));
    const client = await v2Client('alice@example.com', undefined, undefined, (body) => {
      if (body.includes('"input_required"')) asked();
    });
    try {
      const call = client.callTool({ name: GROUP_TOOL, arguments: { duration: 0.103, steps: 1 } });
      await inputRequired;
      expect(
        (await callsReceived(received, GROUP_TOOL)).filter((entry) => JSON.stringify(entry).includes('0.103')),
      ).toEqual([]);
      const list = await decideApproval(`${stack.workerUrl}/approvals`, 'carol@example.com', 'read');
      const href = new RegExp(
        `href="(/approvals/[^"]+)"><strong>${GROUP_TOOL}</strong></a> by alice@example\\.com`,
      ).exec(list.html)?.[1];
      expect(href).toBeDefined();
      await decideApproval(`${stack.workerUrl}${href}`, 'carol@example.com', 'approve');
      expect((await call).isError).toBeFalsy();
      expect(
        (await callsReceived(received, GROUP_TOOL)).filter((entry) => JSON.stringify(entry).includes('0.103')),
      ).toHaveLength(1);
    } finally {
      await client.close();
    }
  });

  it('carol cannot approve her own call: the page says so and a post is refused', async () => {
    const client = await v1Client('carol@example.com', { url: {} }, async (request) => {
      const url = String(request.params.url);
      const page = await decideApproval(url, 'carol@example.com', 'approve');
      expect(page.status).toBe(200);
      expect(page.html).toContain('You cannot approve your own call.');
      expect(page.html).not.toContain('value="approve"');
      // alice is not in sre either: she may look, not decide.
      expect((await decideApproval(url, 'alice@example.com', 'approve')).status).toBe(403);
      return { action: 'decline' };
    });
    try {
      const refused = await client
        .callTool({ name: GROUP_TOOL, arguments: { duration: 0.104, steps: 1 } })
        .catch((error: unknown) => error);
      expect(refused).toMatchObject({ code: -32004 });
      expect(
        (await callsReceived(received, GROUP_TOOL)).filter((call) => JSON.stringify(call).includes('0.104')),
      ).toEqual([]);
    } finally {
      await client.close();
    }
  });
});

describe('what an attacker sends', () => {
  it('a replayed or forged requestState never runs the call again, and a forged page address finds nothing', async () => {
    const token = await tokenOf('alice@example.com');
    const post = async (id: number, extra: Record<string, unknown>) => {
      const response = await fetch(stack.mcpUrl, {
        method: 'POST',
        headers: {
          Authorization: `Bearer ${token}`,
          'Content-Type': 'application/json',
          Accept: 'application/json, text/event-stream',
          'Mcp-Method': 'tools/call',
          'Mcp-Name': CONFIRMED_TOOL,
          'MCP-Protocol-Version': '2026-07-28',
        },
        body: JSON.stringify({
          jsonrpc: '2.0',
          id,
          method: 'tools/call',
          params: {
            name: CONFIRMED_TOOL,
            arguments: { data: dataUrl('replay') },
            _meta: {
              'io.modelcontextprotocol/protocolVersion': '2026-07-28',
              'io.modelcontextprotocol/clientInfo': { name: 'curl', version: '1' },
              'io.modelcontextprotocol/clientCapabilities': { elicitation: {} },
            },
            ...extra,
          },
        }),
      });
      return (await response.json()) as { result?: { requestState?: string }; error?: { code: number } };
    };
    const first = await post(1, {});
    const requestState = first.result!.requestState!;
    const accept = { 'secure-mcp/approval': { action: 'accept' } };
    expect((await post(2, { requestState, inputResponses: accept })).error).toBeUndefined();
    expect((await post(3, { requestState, inputResponses: accept })).error).toMatchObject({ code: -32602 });
    expect(
      (
        await post(4, {
          requestState: `${requestState.slice(0, -1)}${requestState.endsWith('A') ? 'B' : 'A'}`,
          inputResponses: accept,
        })
      ).error,
    ).toMatchObject({ code: -32602 });
    expect(
      (await callsReceived(received, CONFIRMED_TOOL)).filter((call) => JSON.stringify(call).includes('replay')),
    ).toHaveLength(1);

    const forged = await decideApproval(
      `${stack.workerUrl}/approvals/${'a'.repeat(64)}.${'b'.repeat(22)}.${'c'.repeat(43)}`,
      'carol@example.com',
      'read',
    );
    expect(forged.status).toBe(404);
  });
});
