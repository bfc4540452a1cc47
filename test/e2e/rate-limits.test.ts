import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScriptedOAuthClient } from '../../dev/client/scripted-oauth-client.ts';
import { startPrivateStack } from '../../dev/stack/private-stack.ts';

/**
 * The shipped rate limit through the whole local stack: support-read-only allows bob 60 calls a
 * minute per tool (policies/tools.yaml), counted by the ToolRateLimiter Durable Object in wrangler
 * dev. The 61st call is refused with the rule and when to retry; another tool still works.
 */
let stack: Awaited<ReturnType<typeof startPrivateStack>>;

beforeAll(async () => {
  stack = await startPrivateStack();
});

afterAll(async () => {
  await stack?.cleanup();
});

describe('rate limits through the gateway', () => {
  it("refuses bob's 61st get-sum call within a minute, and his echo still works", async () => {
    const oauth = new ScriptedOAuthClient('bob@example.com', 'secure-mcp rate limit e2e');
    const client = new Client({ name: 'secure-mcp-rate-limit-e2e', version: '1.0.0' });
    const firstTry = new StreamableHTTPClientTransport(new URL(stack.mcpUrl), { authProvider: oauth });
    expect(await client.connect(firstTry).catch((error: unknown) => error)).toBeInstanceOf(UnauthorizedError);
    await firstTry.finishAuth(oauth.takeAuthorizationCode());
    await client.connect(new StreamableHTTPClientTransport(new URL(stack.mcpUrl), { authProvider: oauth }));
    try {
      for (let call = 1; call <= 60; call++) {
        const result = await client.callTool({ name: 'get-sum', arguments: { a: call, b: 1 } });
        expect(JSON.stringify(result.content)).toContain(String(call + 1));
      }
      const refused = await client.callTool({ name: 'get-sum', arguments: { a: 1, b: 1 } }).then(
        () => new Error('the 61st call was not refused'),
        (error: unknown) => error,
      );
      expect((refused as { code?: number }).code).toBe(-32029);
      expect((refused as Error).message).toContain(
        'Rate limited: rule "support-read-only" allows 60 calls per 1m per person and tool, and tool get-sum reached it; retry in',
      );
      expect((refused as { data?: { retryAfterSeconds?: number } }).data?.retryAfterSeconds).toBeGreaterThan(0);
      const echoed = await client.callTool({ name: 'echo', arguments: { message: 'still here' } });
      expect(echoed.content).toEqual([{ type: 'text', text: 'Echo: still here' }]);
    } finally {
      await client.close();
    }
  });
});
