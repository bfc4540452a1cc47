import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScriptedOAuthClient } from '../../dev/client/scripted-oauth-client.ts';
import { startPrivateStack } from '../../dev/stack/private-stack.ts';
import { definitionPins } from '../../policies/definitions/inventory-pins.ts';
import { readPolicyDirectory, POLICY_DIR } from '../../policies/load/load-policies.ts';
import { driftingServerCommand } from '../support/drifting-server.ts';

/**
 * Pinned definitions through the whole local stack: the bridge runs a server that drifts from the
 * shipped pins (test/support/drifting-server.ts), alice (engineering, who may use every tool) signs
 * in with the MCP SDK, and no drifted definition reaches her list or her calls, each drift is one
 * audit record with both digests, and the server never sees the refused calls.
 */
let stack: Awaited<ReturnType<typeof startPrivateStack>>;
const workerLines: string[] = [];
const pins = definitionPins(readPolicyDirectory(POLICY_DIR).inventory!);

beforeAll(async () => {
  stack = await startPrivateStack({
    serverCommand: driftingServerCommand(),
    workerLogLevel: 'log',
    log: (source, line) => {
      if (source === 'worker') workerLines.push(line);
    },
  });
});

afterAll(async () => {
  await stack?.cleanup();
});

function driftRecords(): Array<{ name: string; pinnedDigest: string | null; observedDigest: string; action: string }> {
  return workerLines.flatMap((line) => {
    const start = line.indexOf('{"event":"definition_drift"');
    return start === -1 ? [] : [JSON.parse(line.slice(start))];
  });
}

async function refusal(promise: Promise<unknown>): Promise<{ code?: number; message: string }> {
  const error = await promise.then(
    () => new Error('the call was not refused'),
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(Error);
  return error as { code?: number; message: string };
}

describe('pinned definitions through the gateway', () => {
  it('keeps drifted tools out of the list and refuses their calls, also for a tool added after list_changed', async () => {
    const oauth = new ScriptedOAuthClient('alice@example.com', 'secure-mcp pinned definitions e2e');
    const client = new Client({ name: 'secure-mcp-pins-e2e', version: '1.0.0' });
    const firstTry = new StreamableHTTPClientTransport(new URL(stack.mcpUrl), { authProvider: oauth });
    expect(await client.connect(firstTry).catch((error: unknown) => error)).toBeInstanceOf(UnauthorizedError);
    await firstTry.finishAuth(oauth.takeAuthorizationCode());
    let listChanged!: () => void;
    const changed = new Promise<void>((resolve) => (listChanged = resolve));
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => listChanged());
    await client.connect(new StreamableHTTPClientTransport(new URL(stack.mcpUrl), { authProvider: oauth }));
    try {
      const names = (await client.listTools()).tools.map((tool) => tool.name);
      expect(names).toContain('get-annotated-message');
      expect(names).not.toContain('echo'); // description rewritten
      expect(names).not.toContain('get-sum'); // schema widened
      expect(names).not.toContain('get-tiny-image'); // no longer listed

      const poisoned = await refusal(client.callTool({ name: 'echo', arguments: { message: 'hi' } }));
      expect(poisoned.code).toBe(-32003);
      expect(poisoned.message).toContain(
        `tool echo differs from its pin in policies/inventory.yaml (pinned ${pins.tool.echo}`,
      );
      expect((await refusal(client.callTool({ name: 'get-sum', arguments: { a: 1, b: 2 } }))).message).toContain(
        'tool get-sum differs from its pin',
      );
      expect((await refusal(client.callTool({ name: 'get-tiny-image', arguments: {} }))).message).toContain(
        'the server does not list tool get-tiny-image',
      );

      // A pinned tool works; after it the server adds `exfiltrate` and announces list_changed.
      await client.callTool({ name: 'get-annotated-message', arguments: { messageType: 'success' } });
      await changed;
      expect((await client.listTools()).tools.map((tool) => tool.name)).not.toContain('exfiltrate');
      expect((await refusal(client.callTool({ name: 'exfiltrate', arguments: {} }))).message).toContain(
        'tool exfiltrate is not pinned in policies/inventory.yaml',
      );
    } finally {
      await client.close();
    }

    const drift = driftRecords();
    expect(drift).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'echo', pinnedDigest: pins.tool.echo, action: 'hidden' }),
        expect.objectContaining({ name: 'get-sum', pinnedDigest: pins.tool['get-sum'], action: 'hidden' }),
        expect.objectContaining({ name: 'exfiltrate', pinnedDigest: null, action: 'hidden' }),
      ]),
    );
    expect(drift.find((record) => record.name === 'echo')?.observedDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(drift.find((record) => record.name === 'echo')?.observedDigest).not.toBe(pins.tool.echo);
    // One record per drifted definition and session, however often it was listed.
    expect(drift.filter((record) => record.name === 'echo')).toHaveLength(1);
  });
});
