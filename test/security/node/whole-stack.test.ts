/**
 * The defences wired together on the real local stack (wrangler dev, the Access stand-in, the
 * bridge): the bridge serves the Worker's signed requests and refuses direct ones, and the
 * offboarding command ends a signed-in user's access on the next request.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { obtainTokens } from '../../../dev/client/obtain-tokens.ts';
import { startPrivateStack } from '../../../dev/stack/private-stack.ts';

let stack: Awaited<ReturnType<typeof startPrivateStack>>;
beforeAll(async () => {
  stack = await startPrivateStack();
}, 120_000);
afterAll(async () => {
  await stack?.cleanup();
});

const initialize = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'security', version: '1' } },
});

function post(url: string, token?: string) {
  return fetch(url, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      Accept: 'application/json, text/event-stream',
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
    },
    body: initialize,
  });
}

describe('the whole local stack', () => {
  it('the bridge answers the Worker, and refuses the same request sent to it directly (with or without the token)', async () => {
    const { access_token } = await obtainTokens(stack.mcpUrl, 'alice@example.com');
    const throughWorker = await post(stack.mcpUrl, access_token);
    expect(throughWorker.status).toBe(200);
    await throughWorker.body?.cancel();
    expect((await post(`${stack.bridge.url}/mcp`)).status).toBe(401);
    expect((await post(`${stack.bridge.url}/mcp`, access_token)).status).toBe(401);
  });

  it("npm run revoke-user ends a signed-in user's access on the next request", async () => {
    const { access_token } = await obtainTokens(stack.mcpUrl, 'bob@example.com');
    const before = await post(stack.mcpUrl, access_token);
    expect(before.status).toBe(200);
    await before.body?.cancel();
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        '--import',
        'tsx',
        'ops/revoke-user.ts',
        'bob@example.com',
        '--url',
        stack.workerUrl,
        '--second-sweep-after',
        '0',
      ],
      {
        env: { ...process.env, SECURE_MCP_ADMIN_TOKEN: stack.adminToken },
      },
    );
    expect(stdout).toMatch(/Revoked 1 grant of bob@example.com/);
    expect((await post(stack.mcpUrl, access_token)).status).toBe(401);
  });
});
