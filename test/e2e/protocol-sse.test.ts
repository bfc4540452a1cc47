import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { CreateMessageRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { obtainTokens } from '../../dev/client/obtain-tokens.ts';
import { startPrivateStack } from '../../dev/stack/private-stack.ts';
import { isRunning } from '../support/processes.ts';

/**
 * The old HTTP+SSE transport (`GET /mcp/sse`, `POST /mcp/messages`) through the whole local stack, with the
 * MCP SDK v1 `SSEClientTransport`: the stream and the messages pass the Worker's sign-in and policy
 * gate, and the bridge gives the connection a stdio child of its own.
 */
let stack: Awaited<ReturnType<typeof startPrivateStack>>;

beforeAll(async () => {
  stack = await startPrivateStack();
});
afterAll(() => stack?.cleanup());

describe('an old HTTP+SSE client through the gateway', () => {
  it('calls echo, lists prompts and answers a sampling request', async () => {
    const { access_token } = await obtainTokens(stack.mcpUrl, 'alice@example.com');
    const authorization = `Bearer ${access_token}`;
    const client = new Client({ name: 'secure-mcp-e2e-sse', version: '1.0.0' }, { capabilities: { sampling: {} } });
    client.setRequestHandler(CreateMessageRequestSchema, () => ({
      model: 'e2e-model',
      role: 'assistant',
      content: { type: 'text', text: 'sampled over the old transport' },
    }));
    const transport = new SSEClientTransport(new URL('/mcp/sse', stack.workerUrl), {
      requestInit: { headers: { Authorization: authorization } },
    });
    await client.connect(transport);
    try {
      const [session] = stack.bridge.sessions().filter((open) => open.transport === 'sse');
      expect(session).toMatchObject({ pid: expect.any(Number) });
      const echoed = await client.callTool({ name: 'echo', arguments: { message: 'hello over SSE' } });
      expect(echoed.content).toEqual([{ type: 'text', text: 'Echo: hello over SSE' }]);
      expect((await client.listPrompts()).prompts.map((prompt) => prompt.name)).toContain('simple-prompt');
      const sampled = await client.callTool({ name: 'trigger-sampling-request', arguments: { prompt: 'hi' } });
      expect(JSON.stringify(sampled.content)).toContain('sampled over the old transport');
      await client.close();
      await expect.poll(() => isRunning(session!.pid!), { timeout: 15_000 }).toBe(false);
    } finally {
      await client.close();
    }
  });

  it('refuses the stream without a token', async () => {
    const response = await fetch(new URL('/mcp/sse', stack.workerUrl), { headers: { Accept: 'text/event-stream' } });
    expect(response.status).toBe(401);
  });
});
