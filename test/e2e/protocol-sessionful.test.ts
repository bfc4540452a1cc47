import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  type JSONRPCMessage,
} from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { obtainTokens } from '../../dev/client/obtain-tokens.ts';
import { startPrivateStack } from '../../dev/stack/private-stack.ts';
import { isRunning } from '../support/processes.ts';

/**
 * The sessionful Streamable HTTP revisions (2025-06-18 and 2025-11-25) through the whole local stack:
 * the MCP SDK v1 client signs in, opens a session (a stdio child of its own in the bridge), uses
 * tools, resources and prompts, and answers the server's sampling and elicitation requests.
 */
let stack: Awaited<ReturnType<typeof startPrivateStack>>;
let accessToken: string;

beforeAll(async () => {
  stack = await startPrivateStack();
  ({ access_token: accessToken } = await obtainTokens(stack.mcpUrl, 'alice@example.com'));
});
afterAll(() => stack?.cleanup());

/** Makes the SDK client ask for `revision` in its `initialize` (it asks for its newest otherwise). */
function askingForRevision(transport: StreamableHTTPClientTransport, revision: string): Transport {
  const send = transport.send.bind(transport);
  transport.send = (message: JSONRPCMessage, options) => {
    if ('method' in message && message.method === 'initialize' && message.params) {
      return send({ ...message, params: { ...message.params, protocolVersion: revision } }, options);
    }
    return send(message, options);
  };
  return transport;
}

for (const revision of ['2025-06-18', '2025-11-25']) {
  describe(`a ${revision} client through the gateway`, () => {
    it('uses tools, resources and prompts, and answers sampling and elicitation', async () => {
      const client = new Client(
        { name: `secure-mcp-e2e-${revision}`, version: '1.0.0' },
        { capabilities: { sampling: {}, elicitation: {} } },
      );
      client.setRequestHandler(CreateMessageRequestSchema, () => ({
        model: 'e2e-model',
        role: 'assistant',
        content: { type: 'text', text: `sampled over ${revision}` },
      }));
      client.setRequestHandler(ElicitRequestSchema, () => ({ action: 'accept', content: { color: 'amber' } }));
      const transport = new StreamableHTTPClientTransport(new URL(stack.mcpUrl), {
        requestInit: { headers: { Authorization: `Bearer ${accessToken}` } },
      });
      await client.connect(askingForRevision(transport, revision));
      try {
        expect(transport.protocolVersion).toBe(revision);
        const [session] = stack.bridge.sessions().filter((open) => open.id === transport.sessionId);
        expect(session).toMatchObject({ transport: 'streamable', pid: expect.any(Number) });

        const echoed = await client.callTool({ name: 'echo', arguments: { message: `hello over ${revision}` } });
        expect(echoed.content).toEqual([{ type: 'text', text: `Echo: hello over ${revision}` }]);
        expect((await client.listResources()).resources.length).toBeGreaterThan(0);
        expect((await client.listPrompts()).prompts.map((prompt) => prompt.name)).toContain('simple-prompt');
        const sampled = await client.callTool({ name: 'trigger-sampling-request', arguments: { prompt: 'hi' } });
        expect(JSON.stringify(sampled.content)).toContain(`sampled over ${revision}`);
        const elicited = await client.callTool({ name: 'trigger-elicitation-request', arguments: {} });
        expect(JSON.stringify(elicited.content)).toContain('amber');

        await transport.terminateSession();
        await expect.poll(() => isRunning(session!.pid!)).toBe(false);
      } finally {
        await client.close();
      }
    });
  });
}
