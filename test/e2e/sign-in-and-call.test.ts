import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScriptedOAuthClient } from '../../dev/client/scripted-oauth-client.ts';
import { isRunning, livingProcessesInGroup } from '../support/processes.ts';
import { startPrivateStack } from '../../dev/stack/private-stack.ts';
import { connectSignedIn } from './connect-signed-in.ts';

/**
 * The walking skeleton, end to end: an MCP SDK client discovers the gateway from a 401,
 * registers, signs in through the consent page and the Access stand-in with PKCE, then
 * lists tools and calls server-everything's `echo` through the Worker and the bridge.
 */
let stack: Awaited<ReturnType<typeof startPrivateStack>>;
/** Stdio server processes seen during the tests, checked for at shutdown. */
const serverPids: number[] = [];

beforeAll(async () => {
  stack = await startPrivateStack();
});

afterAll(async () => {
  await stack?.cleanup(); // a no-op when the last test already stopped it
});

/** Connects as `email`, doing the OAuth dance the way the SDK expects a client app to. */
async function connectAs(email: string) {
  const oauth = new ScriptedOAuthClient(email, 'secure-mcp e2e');
  const { client } = await connectSignedIn(oauth, {
    newClient: () => new Client({ name: 'secure-mcp-e2e', version: '1.0.0' }),
    newTransport: () => new StreamableHTTPClientTransport(new URL(stack.mcpUrl), { authProvider: oauth }),
  });
  return { client, oauth };
}

describe('a signed-in user reaches the stdio MCP server through the gateway', () => {
  it('lists server-everything tools and calls echo', async () => {
    const { client, oauth } = await connectAs('alice@example.com');
    try {
      expect(oauth.tokens()?.access_token).toBeTruthy();
      const { tools } = await client.listTools();
      expect(tools.map((tool) => tool.name)).toContain('echo');
      serverPids.push(
        ...stack.bridge.sessions().flatMap((session) => (session.pid === undefined ? [] : [session.pid])),
      );
      expect(serverPids.length).toBeGreaterThan(0);
      const result = await client.callTool({ name: 'echo', arguments: { message: 'hello through the gateway' } });
      expect(result.content).toEqual([{ type: 'text', text: 'Echo: hello through the gateway' }]);
    } finally {
      await client.close();
    }
  });
});

describe('a user the Access policies refuse', () => {
  it('is stopped at Access and ends with no token', async () => {
    const oauth = new ScriptedOAuthClient('mallory@example.com', 'secure-mcp e2e');
    const transport = new StreamableHTTPClientTransport(new URL(stack.mcpUrl), { authProvider: oauth });
    const client = new Client({ name: 'secure-mcp-e2e', version: '1.0.0' });
    await expect(client.connect(transport)).rejects.toBeInstanceOf(UnauthorizedError);
    expect(() => oauth.takeAuthorizationCode()).toThrow(/Access refused mallory@example.com \(HTTP 403\)/);
    expect(oauth.tokens()).toBeUndefined();
  });
});

describe('without a token', () => {
  it('gets 401 with resource metadata, and discovery documents answer', async () => {
    const response = await fetch(stack.mcpUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(response.status).toBe(401);
    expect(response.headers.get('WWW-Authenticate')).toContain(
      `resource_metadata="${stack.workerUrl}/.well-known/oauth-protected-resource/mcp"`,
    );
    expect((await fetch(`${stack.workerUrl}/.well-known/oauth-protected-resource/mcp`)).status).toBe(200);
    expect((await fetch(`${stack.workerUrl}/.well-known/oauth-authorization-server`)).status).toBe(200);
  });
});

describe('stopping the stack', () => {
  it('leaves no process behind: wrangler, workerd, bridge children', async () => {
    const wranglerGroup = stack.worker.process.pid!;
    expect(livingProcessesInGroup(wranglerGroup).length).toBeGreaterThan(0);
    await stack.cleanup();
    expect(livingProcessesInGroup(wranglerGroup)).toEqual([]);
    expect(serverPids.filter(isRunning)).toEqual([]);
  });
});
