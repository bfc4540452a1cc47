import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_KEEP_ALIVE_MS } from '../../container/src/session-http-transport.ts';
import { obtainTokens } from '../../dev/client/obtain-tokens.ts';
import { startPrivateStack } from '../../dev/stack/private-stack.ts';

/**
 * A client that just drops its connections (as a crashed client does), through the whole local stack
 * with the bridge as a process: the gateway notices by itself that its client left and ends the
 * request it holds at the bridge, so the session's GET stream is released (a reconnecting client can
 * open it again) instead of being held until a write of the bridge happens to fail.
 */
interface StreamClosed {
  event: 'stream.closed';
  sessionId?: string;
  durationMs: number;
}

let stack: Awaited<ReturnType<typeof startPrivateStack>>;
let accessToken: string;
const streamsClosed: StreamClosed[] = [];
const onStreamClosed = new Set<() => void>();

beforeAll(async () => {
  stack = await startPrivateStack({
    log: (source, line) => {
      if (source !== 'bridge' || !line.includes('"stream.closed"')) return;
      streamsClosed.push(JSON.parse(line) as StreamClosed);
      for (const notify of onStreamClosed) notify();
    },
  });
  ({ access_token: accessToken } = await obtainTokens(stack.mcpUrl, 'alice@example.com'));
});
afterAll(() => stack?.cleanup());

/** Resolves with the bridge's `stream.closed` record of `sessionId` once it is logged. */
function streamClosed(sessionId: string): Promise<StreamClosed> {
  return new Promise((resolve) => {
    const check = () => {
      const found = streamsClosed.find((record) => record.sessionId === sessionId);
      if (!found) return;
      onStreamClosed.delete(check);
      resolve(found);
    };
    onStreamClosed.add(check);
    check();
  });
}

describe('a client that drops its connection', () => {
  it("ends the session's GET stream at the bridge, which a reconnecting client can then open again", async () => {
    const client = new Client({ name: 'secure-mcp-e2e-dropped', version: '1.0.0' });
    const transport = new StreamableHTTPClientTransport(new URL(stack.mcpUrl), {
      requestInit: { headers: { Authorization: `Bearer ${accessToken}` } },
    });
    await client.connect(transport);
    const sessionId = transport.sessionId!;
    expect(await client.callTool({ name: 'echo', arguments: { message: 'then gone' } })).toMatchObject({
      content: [{ type: 'text', text: 'Echo: then gone' }],
    });
    const closed = streamClosed(sessionId);
    // Only drops the connections (GET stream included); no DELETE ends the session.
    await client.close();

    // Nothing but the bridge's keep-alive writes on that idle stream: the gateway's own heartbeat
    // must tell it that the client left, before the bridge's first keep-alive could have.
    expect((await closed).durationMs).toBeLessThan(SESSION_KEEP_ALIVE_MS);
    expect(stack.bridge.sessions().map((session) => session.id)).toContain(sessionId);

    const again = await fetch(stack.mcpUrl, {
      headers: {
        Authorization: `Bearer ${accessToken}`,
        Accept: 'text/event-stream',
        'Mcp-Session-Id': sessionId,
        'Mcp-Protocol-Version': transport.protocolVersion ?? '2025-11-25',
      },
    });
    expect(again.status).toBe(200);
    expect(again.headers.get('content-type')).toMatch(/^text\/event-stream/);
    await again.body?.cancel();
  });
});
