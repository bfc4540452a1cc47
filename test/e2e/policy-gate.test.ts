import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScriptedOAuthClient } from '../../dev/client/scripted-oauth-client.ts';
import { startPrivateStack } from '../../dev/stack/private-stack.ts';
import { connectSignedIn } from './connect-signed-in.ts';

/**
 * The tool policies of policies/tools.yaml, enforced by the Worker through the whole
 * local stack: alice (engineering) and bob (support) sign in with the MCP SDK, see
 * different tools, and bob's call of a tool he may not use is refused by policy.
 */
let stack: Awaited<ReturnType<typeof startPrivateStack>>;

beforeAll(async () => {
  stack = await startPrivateStack();
});

afterAll(async () => {
  await stack?.cleanup();
});

async function connectAs(email: string): Promise<Client> {
  const oauth = new ScriptedOAuthClient(email, 'secure-mcp policy e2e');
  const { client } = await connectSignedIn(oauth, {
    newClient: () => new Client({ name: 'secure-mcp-policy-e2e', version: '1.0.0' }),
    newTransport: () => new StreamableHTTPClientTransport(new URL(stack.mcpUrl), { authProvider: oauth }),
  });
  return client;
}

describe('tool policies through the gateway', () => {
  it('alice (engineering) sees every tool but get-env, and her call of a tool bob may not use succeeds', async () => {
    const alice = await connectAs('alice@example.com');
    try {
      const names = (await alice.listTools()).tools.map((tool) => tool.name);
      expect(names).toEqual(
        expect.arrayContaining(['echo', 'get-sum', 'trigger-long-running-operation', 'get-structured-content']),
      );
      expect(names).not.toContain('get-env');
      const result = await alice.callTool({ name: 'get-sum', arguments: { a: 2, b: 3 } });
      expect(JSON.stringify(result.content)).toContain('5');
    } finally {
      await alice.close();
    }
  });

  it('bob (support) sees only his read-only tools, and his call of a denied tool is refused with the policy error', async () => {
    const bob = await connectAs('bob@example.com');
    try {
      const names = (await bob.listTools()).tools.map((tool) => tool.name);
      expect(names).toContain('echo');
      expect(names).not.toContain('trigger-long-running-operation');
      expect(names).not.toContain('get-env');
      expect(names).not.toContain('toggle-simulated-logging');

      const refused = await bob
        .callTool({ name: 'trigger-long-running-operation', arguments: { duration: 1, steps: 1 } })
        .catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(Error);
      expect((refused as { code?: number }).code).toBe(-32003);
      expect((refused as Error).message).toContain(
        'Forbidden by policy: Denied by default: no rule allows tool trigger-long-running-operation',
      );

      const echoed = await bob.callTool({ name: 'echo', arguments: { message: 'support says hi' } });
      expect(echoed.content).toEqual([{ type: 'text', text: 'Echo: support says hi' }]);
    } finally {
      await bob.close();
    }
  });
});
