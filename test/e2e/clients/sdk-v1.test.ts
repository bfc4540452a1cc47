/**
 * The MCP TypeScript SDK v1 (`@modelcontextprotocol/sdk`), the way docs/clients.md tells
 * people to connect: `Client` + `StreamableHTTPClientTransport` with an OAuth provider
 * that registers itself, then lists tools and calls one through the whole local stack.
 * The same for the old HTTP+SSE transport, which the gateway serves at `/mcp/sse`.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScriptedOAuthClient } from '../../../dev/client/scripted-oauth-client.ts';
import { startPrivateStack } from '../../../dev/stack/private-stack.ts';
import { connectSignedIn } from '../connect-signed-in.ts';

let stack: Awaited<ReturnType<typeof startPrivateStack>>;

beforeAll(async () => {
  stack = await startPrivateStack();
});

afterAll(async () => {
  await stack?.cleanup();
});

describe('MCP SDK v1 over Streamable HTTP', () => {
  it('signs in on the first 401, then lists tools and calls echo', async () => {
    const oauth = new ScriptedOAuthClient('alice@example.com', 'SDK v1 client');
    const { client, transport } = await connectSignedIn(oauth, {
      newClient: () => new Client({ name: 'sdk-v1-client', version: '1.0.0' }),
      newTransport: () => new StreamableHTTPClientTransport(new URL(stack.mcpUrl), { authProvider: oauth }),
    });
    try {
      expect(transport.sessionId).toBeTruthy();
      const { tools } = await client.listTools();
      expect(tools.map((tool) => tool.name)).toContain('echo');
      const result = await client.callTool({ name: 'echo', arguments: { message: 'from SDK v1' } });
      expect(result.content).toEqual([{ type: 'text', text: 'Echo: from SDK v1' }]);
    } finally {
      await client.close();
    }
  });
});

describe('MCP SDK v1 over the old HTTP+SSE transport', () => {
  it('signs in, then lists tools and calls echo at /mcp/sse', async () => {
    // The old transport lives under the MCP resource (GET /mcp/sse, POST /mcp/messages), so one sign-in covers it.
    const sseUrl = new URL('/mcp/sse', stack.workerUrl);
    const oauth = new ScriptedOAuthClient('alice@example.com', 'SDK v1 SSE client');
    const { client } = await connectSignedIn(oauth, {
      newClient: () => new Client({ name: 'sdk-v1-sse-client', version: '1.0.0' }),
      newTransport: () => new SSEClientTransport(sseUrl, { authProvider: oauth }),
    });
    try {
      const { tools } = await client.listTools();
      expect(tools.map((tool) => tool.name)).toContain('echo');
      const result = await client.callTool({ name: 'echo', arguments: { message: 'over SSE' } });
      expect(result.content).toEqual([{ type: 'text', text: 'Echo: over SSE' }]);
    } finally {
      await client.close();
    }
  });
});
