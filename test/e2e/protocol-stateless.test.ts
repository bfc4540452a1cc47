import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { obtainTokens } from '../../dev/client/obtain-tokens.ts';
import { startPrivateStack } from '../../dev/stack/private-stack.ts';

/**
 * The stateless 2026-07-28 revision through the whole local stack: an SDK v2 client pinned to that
 * revision, with a token from the real sign-in, reaches server-everything (which speaks only 2025
 * revisions) through the Worker and the bridge, including an elicitation round (input_required).
 */
let stack: Awaited<ReturnType<typeof startPrivateStack>>;

beforeAll(async () => {
  stack = await startPrivateStack();
});
afterAll(() => stack?.cleanup());

async function connectStateless(email: string) {
  const { access_token } = await obtainTokens(stack.mcpUrl, email);
  const client = new Client(
    { name: 'secure-mcp-e2e-stateless', version: '1.0.0' },
    { versionNegotiation: { mode: { pin: '2026-07-28' } }, capabilities: { elicitation: { form: {} } } },
  );
  const transport = new StreamableHTTPClientTransport(new URL(stack.mcpUrl), {
    requestInit: { headers: { Authorization: `Bearer ${access_token}` } },
  });
  await client.connect(transport);
  return client;
}

describe('a 2026-07-28 client through the gateway', () => {
  it('lists tools, calls echo, reads a prompt and answers an elicitation round', async () => {
    const client = await connectStateless('alice@example.com');
    try {
      expect(client.getProtocolEra()).toBe('modern');
      const { tools } = await client.listTools();
      expect(tools.map((tool) => tool.name)).toContain('echo');
      const echoed = await client.callTool({ name: 'echo', arguments: { message: 'stateless through the gateway' } });
      expect(echoed.content).toEqual([{ type: 'text', text: 'Echo: stateless through the gateway' }]);
      const prompt = await client.getPrompt({ name: 'simple-prompt' });
      expect(prompt.messages.length).toBeGreaterThan(0);
      client.setRequestHandler('elicitation/create', async () => ({ action: 'accept', content: { color: 'green' } }));
      const elicited = await client.callTool({ name: 'trigger-elicitation-request', arguments: {} });
      expect(JSON.stringify(elicited.content)).toContain('green');
      expect(Object.keys(stack.bridge.sharedChildren())).toHaveLength(1);
    } finally {
      await client.close();
    }
  });
});
