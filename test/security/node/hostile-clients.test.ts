/**
 * The second review's attacks through the whole local stack (wrangler dev, the Access stand-in, the
 * real bridge), against server-everything behind a decoder that reads JSON the lenient way
 * (`servers/lenient-server.ts`: keys matched case-insensitively, last match wins; server-everything
 * asks every client that offers roots for them):
 * a body with two readings (docs/security.md 18), roots a client hands the server (21), revocation
 * of a user with a call running and a stream open (19), oversized bodies on every endpoint, and
 * what the gateway issues to a client (no email in it).
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ElicitRequestSchema, ListRootsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { obtainTokens } from '../../../dev/client/obtain-tokens.ts';
import { startPrivateStack } from '../../../dev/stack/private-stack.ts';
import { untilFileHas } from '../support/watch-file.ts';

const serverPath = join(dirname(fileURLToPath(import.meta.url)), 'servers', 'lenient-server.ts');

let stack: Awaited<ReturnType<typeof startPrivateStack>>;
let folder: string;
let eventsFile: string;

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'secure-mcp-hostile-'));
  eventsFile = join(folder, 'events.jsonl');
  await writeFile(eventsFile, '');
  stack = await startPrivateStack({ serverCommand: [process.execPath, serverPath, eventsFile] });
}, 120_000);
afterAll(async () => {
  await stack?.cleanup();
  if (folder) await rm(folder, { recursive: true, force: true });
});

interface ServerEvent {
  event: string;
  pid: number;
  [field: string]: unknown;
}

async function events(): Promise<ServerEvent[]> {
  const text = await readFile(eventsFile, 'utf8');
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as ServerEvent);
}

/** Resolves with the first event the stdio server records that `matches`, waiting for the file to change. */
function nextEvent(matches: (event: ServerEvent) => boolean): Promise<ServerEvent> {
  return untilFileHas(eventsFile, (text) =>
    text
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as ServerEvent)
      .find(matches),
  );
}

/** A raw MCP session: initialize and initialized by hand, so a test can send any body it likes. */
async function rawSession(token: string): Promise<(body: string) => Promise<Response>> {
  const post = (body: string, sessionId?: string) =>
    fetch(stack.mcpUrl, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        Accept: 'application/json, text/event-stream',
        Authorization: `Bearer ${token}`,
        'Mcp-Protocol-Version': '2025-06-18',
        ...(sessionId ? { 'Mcp-Session-Id': sessionId } : {}),
      },
      body,
    });
  const initialized = await post(
    JSON.stringify({
      jsonrpc: '2.0',
      id: 0,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'hostile', version: '1' } },
    }),
  );
  expect(initialized.status).toBe(200);
  const sessionId = initialized.headers.get('Mcp-Session-Id')!;
  await initialized.text();
  const notified = await post(JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }), sessionId);
  await notified.text();
  return (body) => post(body, sessionId);
}

describe('one reading, through the whole stack (docs/security.md 18)', () => {
  it('a call to echo that a lenient server would read as get-env is refused at the gate; a clean echo runs', async () => {
    const { access_token } = await obtainTokens(stack.mcpUrl, 'bob@example.com');
    const send = await rawSession(access_token);
    const attack = await send(
      '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","Name":"get-env"}}',
    );
    expect(attack.status).toBe(400);
    expect(await attack.text()).not.toContain('SECRET');
    const clean = await send(
      '{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"echo","arguments":{"message":"hi"}}}',
    );
    expect(clean.status).toBe(200);
    expect(await clean.text()).toContain('Echo: hi');
    expect((await events()).filter((event) => event.event === 'call').map((event) => event.name)).not.toContain(
      'get-env',
    );
  });
});

describe('roots, through the whole stack (docs/security.md 21)', () => {
  it('the server never learns that the client offers roots, and never asks for them', async () => {
    const { access_token } = await obtainTokens(stack.mcpUrl, 'alice@example.com');
    const client = new Client(
      { name: 'roots-client', version: '1' },
      { capabilities: { roots: { listChanged: true } } },
    );
    let asked = 0;
    client.setRequestHandler(ListRootsRequestSchema, () => {
      asked++;
      return { roots: [{ uri: 'file:///', name: 'everything' }] };
    });
    const transport = new StreamableHTTPClientTransport(new URL(stack.mcpUrl), {
      requestInit: { headers: { Authorization: `Bearer ${access_token}` } },
    });
    await client.connect(transport);
    try {
      const initialize = (await events()).findLast((event) => event.event === 'initialize')!;
      expect(initialize.capabilities).not.toHaveProperty('roots');
      expect(asked).toBe(0);
    } finally {
      await transport.terminateSession();
      await client.close();
    }
  });

  it('a roots answer the client sends unasked reaches the server empty', async () => {
    const { access_token } = await obtainTokens(stack.mcpUrl, 'alice@example.com');
    const send = await rawSession(access_token);
    const answer = await send(
      '{"jsonrpc":"2.0","id":"never-asked","result":{"roots":[{"uri":"file:///","name":"all"}]}}',
    );
    expect(answer.status).toBeLessThan(300);
    const roots = await nextEvent((event) => event.event === 'roots');
    expect(roots.roots).toEqual([]);
  });
});

describe('bounded input, through wrangler dev (second review, item 7)', () => {
  it('every endpoint answers a 5 MiB body with a 4xx, never a reset connection or a 5xx', async () => {
    const { access_token } = await obtainTokens(stack.mcpUrl, 'alice@example.com');
    const body = 'x'.repeat(5 * 1024 * 1024);
    const attempts: [string, string, Record<string, string>][] = [
      ['/mcp', 'application/json', {}],
      ['/mcp', 'application/json', { Authorization: `Bearer ${access_token}` }],
      ['/token', 'application/x-www-form-urlencoded', {}],
      ['/register', 'application/json', {}],
      ['/authorize', 'application/x-www-form-urlencoded', {}],
      ['/callback', 'text/plain', {}],
      ['/admin/revoke-user', 'application/json', {}],
      ['/no-such-page', 'text/plain', {}],
    ];
    for (const [path, type, headers] of attempts) {
      const response = await fetch(`${stack.workerUrl}${path}`, {
        method: 'POST',
        headers: { 'Content-Type': type, ...headers },
        body,
      });
      await response.arrayBuffer();
      expect(response.status, path).toBeGreaterThanOrEqual(400);
      expect(response.status, path).toBeLessThan(500);
    }
  });
});

describe('what the gateway issues to a client (docs/security.md 9)', () => {
  it('no access or refresh token carries the email', async () => {
    const tokens = await obtainTokens(stack.mcpUrl, 'alice@example.com');
    for (const token of [tokens.access_token, tokens.refresh_token!]) {
      expect(token).not.toContain('alice');
      expect(token).not.toContain('@');
    }
  });
});

describe('revocation, through the whole stack (docs/security.md 19)', () => {
  // Last in this file: alice is revoked for good.
  it("ends the user's running call (its stdio server stops) and their open stream", async () => {
    const { access_token } = await obtainTokens(stack.mcpUrl, 'alice@example.com');
    // A call that stays running at the server until revoked: server-everything's elicitation tool waits
    // for the client's answer, which never comes. (trigger-long-running-operation would wait for an
    // SRE's approval first, policies/tools.yaml, and never reach the server.)
    const client = new Client({ name: 'soon-revoked', version: '1' }, { capabilities: { elicitation: {} } });
    client.setRequestHandler(ElicitRequestSchema, () => new Promise<never>(() => {}));
    const transport = new StreamableHTTPClientTransport(new URL(stack.mcpUrl), {
      requestInit: { headers: { Authorization: `Bearer ${access_token}` } },
    });
    await client.connect(transport);
    const stream = await fetch(stack.mcpUrl, {
      headers: {
        Accept: 'text/event-stream',
        Authorization: `Bearer ${access_token}`,
        'Mcp-Session-Id': transport.sessionId!,
        'Mcp-Protocol-Version': transport.protocolVersion ?? '2025-06-18',
      },
    });
    const running = client.callTool({ name: 'trigger-elicitation-request', arguments: {} }, undefined, {
      timeout: 90_000,
    });
    const started = await nextEvent((event) => event.event === 'call' && event.name === 'trigger-elicitation-request');

    const revoked = await fetch(`${stack.workerUrl}/admin/revoke-user`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${stack.adminToken}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ email: 'alice@example.com' }),
    });
    expect(revoked.status).toBe(200);

    // Answered by the bridge as its session ends, or by the gateway's 401, whichever reaches the client first.
    await expect(running).rejects.toThrow(/session was closed|401/);
    await nextEvent((event) => event.event === 'exit' && event.pid === started.pid);
    if (stream.status === 200) {
      const reader = stream.body!.getReader();
      while (!(await reader.read()).done);
    }
    const after = await fetch(stack.mcpUrl, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        Accept: 'application/json, text/event-stream',
        Authorization: `Bearer ${access_token}`,
      },
      body: '{"jsonrpc":"2.0","id":9,"method":"ping"}',
    });
    expect(after.status).toBe(401);
    await client.close().catch(() => {});
  });
});
