/**
 * Native tools: TypeScript tools inside the Worker (`worker/src/native/`), served at
 * `/mcp/native` behind the same sign-in and policy gate as the proxied server at `/mcp`.
 * One token covers both; the tool policies filter both; `whoami` returns the identity
 * the gateway verified at Access.
 */
import {
  Client as ClientV2,
  StreamableHTTPClientTransport as StreamableHTTPClientTransportV2,
} from '@modelcontextprotocol/client';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ScriptedOAuthClient } from '../../../dev/client/scripted-oauth-client.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { obtainTokens } from '../../../dev/client/obtain-tokens.ts';
import { startPrivateStack } from '../../../dev/stack/private-stack.ts';
import { connectSignedIn } from '../connect-signed-in.ts';

let stack: Awaited<ReturnType<typeof startPrivateStack>>;
let nativeUrl: URL;
const tokens = new Map<string, string>();

beforeAll(async () => {
  stack = await startPrivateStack();
  nativeUrl = new URL('/mcp/native', stack.workerUrl);
  for (const email of ['alice@example.com', 'bob@example.com']) {
    tokens.set(email, (await obtainTokens(stack.mcpUrl, email)).access_token);
  }
});

afterAll(async () => {
  await stack?.cleanup();
});

function withToken(email: string): RequestInit {
  return { headers: { Authorization: `Bearer ${tokens.get(email)}` } };
}

/** An SDK v1 client (2025-era protocol) connected to `url` as `email`. */
async function connectV1(url: URL, email: string): Promise<Client> {
  const client = new Client({ name: 'native-tools-e2e', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(url, { requestInit: withToken(email) }));
  return client;
}

describe('native tools for a user the policies allow everything (alice, engineering)', () => {
  it('lists add and whoami, adds 23 and 19, and whoami returns the verified identity', async () => {
    const client = await connectV1(nativeUrl, 'alice@example.com');
    try {
      const { tools } = await client.listTools();
      expect(tools.map((tool) => tool.name).sort()).toEqual(['add', 'whoami']);
      expect(await client.callTool({ name: 'add', arguments: { a: 23, b: 19 } })).toMatchObject({
        content: [{ type: 'text', text: '42' }],
      });
      const whoami = await client.callTool({ name: 'whoami', arguments: {} });
      expect(whoami.structuredContent).toMatchObject({
        email: 'alice@example.com',
        name: 'Alice Example',
        groups: ['engineering'],
      });
    } finally {
      await client.close();
    }
  });

  it('the same token reaches the proxied server at /mcp: one sign-in covers both', async () => {
    const client = await connectV1(new URL(stack.mcpUrl), 'alice@example.com');
    try {
      const names = (await client.listTools()).tools.map((tool) => tool.name);
      expect(names).toContain('echo');
      expect(names).not.toContain('whoami');
    } finally {
      await client.close();
    }
  });

  it('serves the stateless 2026-07-28 revision to SDK v2', async () => {
    const client = new ClientV2(
      { name: 'native-tools-e2e-v2', version: '1.0.0' },
      { versionNegotiation: { mode: { pin: '2026-07-28' } } },
    );
    await client.connect(
      new StreamableHTTPClientTransportV2(nativeUrl, { requestInit: withToken('alice@example.com') }),
    );
    try {
      const result = await client.callTool({ name: 'add', arguments: { a: 2, b: 3 } });
      expect(result.content).toEqual([{ type: 'text', text: '5' }]);
    } finally {
      await client.close();
    }
  });
});

describe('native tools for a user the policies do not allow them (bob, support)', () => {
  it('lists neither tool and is denied a call by policy', async () => {
    const client = await connectV1(nativeUrl, 'bob@example.com');
    try {
      const { tools } = await client.listTools();
      expect(tools.map((tool) => tool.name)).toEqual([]);
      await expect(client.callTool({ name: 'whoami', arguments: {} })).rejects.toThrow(/polic/i);
    } finally {
      await client.close();
    }
  });

  it('still uses the proxied tools the policies allow, from a list filtered by the same policies', async () => {
    const client = await connectV1(new URL(stack.mcpUrl), 'bob@example.com');
    try {
      const names = (await client.listTools()).tools.map((tool) => tool.name);
      expect(names).toContain('echo');
      expect(names).not.toContain('get-env');
      const result = await client.callTool({ name: 'echo', arguments: { message: 'support' } });
      expect(result.content).toEqual([{ type: 'text', text: 'Echo: support' }]);
    } finally {
      await client.close();
    }
  });
});

describe('a client configured with the /mcp/native URL', () => {
  it('discovers the /mcp resource from the 401, signs in by itself and calls add', async () => {
    const oauth = new ScriptedOAuthClient('alice@example.com', 'native tools client');
    const { client } = await connectSignedIn(oauth, {
      newClient: () => new Client({ name: 'native-tools-e2e', version: '1.0.0' }),
      newTransport: () => new StreamableHTTPClientTransport(nativeUrl, { authProvider: oauth }),
    });
    try {
      expect(await client.callTool({ name: 'add', arguments: { a: 23, b: 19 } })).toMatchObject({
        content: [{ text: '42' }],
      });
    } finally {
      await client.close();
    }
  });
});

describe('native tools without a token', () => {
  it('get 401 with the same resource metadata as /mcp', async () => {
    const response = await fetch(nativeUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(response.status).toBe(401);
    expect(response.headers.get('WWW-Authenticate')).toContain(
      `resource_metadata="${stack.workerUrl}/.well-known/oauth-protected-resource/mcp"`,
    );
  });
});
