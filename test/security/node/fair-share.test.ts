/**
 * Fair share (docs/security.md 22): the bridge's caps (processes, requests) are shared by every
 * user of a container, and sessions a client never ends (a crashed or restarted client, the MCP
 * conformance runner) used to hold their processes for 15 minutes: from the seventeenth such
 * session on, everyone got "The MCP server process could not be started". Now each user has a
 * quota of sessions and of requests in flight, a new session reclaims the least recently used idle
 * one (the user's own first), and a session in use (a request in flight, a stream open) is kept.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startBridge, type BridgeOptions, type RunningBridge } from '../../../container/src/bridge.ts';
import { quietEchoServer } from '../../../container/test/fake-servers.ts';
import { untilFileHas } from '../support/watch-file.ts';

const lenientServer = join(dirname(fileURLToPath(import.meta.url)), 'servers', 'lenient-server.ts');
let bridge: RunningBridge | undefined;
let folder: string;

beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), 'secure-mcp-fair-share-'));
});
afterEach(async () => {
  await bridge?.close();
  bridge = undefined;
  await rm(folder, { recursive: true, force: true });
});

async function start(options: Partial<BridgeOptions> = {}): Promise<RunningBridge> {
  bridge = await startBridge({
    command: quietEchoServer(),
    port: 0,
    authenticate: (request) => ({ userKey: String(request.headers['x-test-user']) }),
    logger: () => {},
    ...options,
    limits: { drainMs: 100, ...options.limits },
  });
  return bridge;
}

function post(user: string, body: unknown, sessionId?: string): Promise<Response> {
  return fetch(`${bridge!.url}/mcp`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      Accept: 'application/json, text/event-stream',
      'x-test-user': user,
      'Mcp-Protocol-Version': '2025-06-18',
      ...(sessionId ? { 'Mcp-Session-Id': sessionId } : {}),
    },
    body: JSON.stringify(body),
  });
}

/** Opens a 2025 session by hand (no GET stream, never ended), as an abandoning client does; returns its id or the refusal. */
async function openSession(user: string): Promise<{ id?: string; refusal?: string }> {
  const initialize = await post(user, {
    jsonrpc: '2.0',
    id: 0,
    method: 'initialize',
    params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: user, version: '1' } },
  });
  const text = await initialize.text();
  const answer = JSON.parse(text.startsWith('{') ? text : (/^data: (.*)$/m.exec(text)?.[1] ?? '{}')) as {
    error?: { message: string };
  };
  if (answer.error) return { refusal: answer.error.message };
  const id = initialize.headers.get('Mcp-Session-Id')!;
  await (await post(user, { jsonrpc: '2.0', method: 'notifications/initialized' }, id)).text();
  return { id };
}

async function echo(user: string, sessionId: string): Promise<number> {
  const response = await post(
    user,
    { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'echo', arguments: { message: 'hi' } } },
    sessionId,
  );
  const text = await response.text();
  return response.status === 200 && text.includes('Echo: hi') ? 200 : response.status;
}

/** Opens the session's GET stream and keeps it open; resolves once the bridge answered it. */
async function openStream(user: string, sessionId: string): Promise<ReadableStreamDefaultReader<Uint8Array>> {
  const response = await fetch(`${bridge!.url}/mcp`, {
    headers: {
      Accept: 'text/event-stream',
      'x-test-user': user,
      'Mcp-Session-Id': sessionId,
      'Mcp-Protocol-Version': '2025-06-18',
    },
  });
  expect(response.status).toBe(200);
  return response.body!.getReader();
}

describe('fair share of a bridge (docs/security.md 22)', () => {
  it('a client that never ends its sessions keeps working, and so does everyone else', async () => {
    await start();
    for (let n = 1; n <= 24; n++) {
      const session = await openSession('runner');
      expect(session.refusal, `session ${n}`).toBeUndefined();
      expect(await echo('runner', session.id!), `session ${n}`).toBe(200);
    }
    const theirs = bridge!.sessions().filter((session) => session.userKey === 'runner');
    expect(theirs.length).toBeLessThanOrEqual(8);
    const other = await openSession('other');
    expect(other.refusal).toBeUndefined();
    expect(await echo('other', other.id!)).toBe(200);
  });

  it('a session with an open stream is kept; the least recently used idle one goes', async () => {
    await start({ limits: { maxSessionsPerUser: 3 } });
    const listening = (await openSession('ann')).id!;
    const stream = await openStream('ann', listening);
    const oldestIdle = (await openSession('ann')).id!;
    const newerIdle = (await openSession('ann')).id!;
    expect(await echo('ann', newerIdle)).toBe(200);
    const fourth = await openSession('ann');
    expect(fourth.refusal).toBeUndefined();
    expect(await echo('ann', listening)).toBe(200);
    expect(await echo('ann', newerIdle)).toBe(200);
    expect(await echo('ann', oldestIdle)).toBe(404);
    await stream.cancel();
  });

  it("when each of a user's sessions has a call running, the next is refused with the reason, and others still get in", async () => {
    const events = join(folder, 'events.jsonl');
    await writeFile(events, '');
    await start({ command: [process.execPath, lenientServer, events], limits: { maxSessionsPerUser: 2 } });
    const running = [];
    for (let n = 0; n < 2; n++) {
      const id = (await openSession('ann')).id!;
      running.push(
        post(
          'ann',
          {
            jsonrpc: '2.0',
            id: 5,
            method: 'tools/call',
            params: { name: 'trigger-long-running-operation', arguments: { duration: 30, steps: 30 } },
          },
          id,
        ),
      );
    }
    await eventCount(events, 'call', 2);
    const third = await openSession('ann');
    expect(third.refusal).toMatch(/already have 2 MCP sessions open, each with a request in flight/);
    const bob = await openSession('bob');
    expect(bob.refusal).toBeUndefined();
    const ping = await post('bob', { jsonrpc: '2.0', id: 1, method: 'ping' }, bob.id);
    expect(ping.status).toBe(200);
    await bridge!.close();
    await Promise.allSettled(running);
  });

  it('a session with only its GET stream open goes last, when no quieter one is idle', async () => {
    await start({ limits: { maxSessionsPerUser: 2 } });
    const older = (await openSession('ann')).id!;
    const olderStream = await openStream('ann', older);
    const quiet = (await openSession('ann')).id!;
    const third = await openSession('ann'); // reclaims the quiet one, though it is newer
    expect(third.refusal).toBeUndefined();
    expect(await echo('ann', quiet)).toBe(404);
    expect(await echo('ann', older)).toBe(200);
    const thirdStream = await openStream('ann', third.id!);
    expect((await openSession('ann')).refusal).toBeUndefined(); // every idle one listens now: the least recently used goes
    expect(await echo('ann', older)).toBe(404);
    expect(await echo('ann', third.id!)).toBe(200);
    await olderStream.cancel();
    await thirdStream.cancel();
  });

  it("one user's requests cannot take every request slot of the bridge", async () => {
    const events = join(folder, 'events.jsonl');
    await writeFile(events, '');
    await start({
      command: [process.execPath, lenientServer, events],
      limits: { maxConcurrentRequestsPerUser: 2, maxConcurrentRequests: 8 },
    });
    const ann = (await openSession('ann')).id!;
    const slowCall = (id: number) =>
      post(
        'ann',
        {
          jsonrpc: '2.0',
          id,
          method: 'tools/call',
          params: { name: 'trigger-long-running-operation', arguments: { duration: 30, steps: 30 } },
        },
        ann,
      );
    const held = [slowCall(11), slowCall(12)];
    await eventCount(events, 'call', 2);
    const third = await post('ann', { jsonrpc: '2.0', id: 13, method: 'ping' }, ann);
    expect(third.status).toBe(429);
    expect(third.headers.get('retry-after')).toBe('1');
    const bob = await openSession('bob');
    expect(bob.refusal).toBeUndefined();
    const ping = await post('bob', { jsonrpc: '2.0', id: 1, method: 'ping' }, bob.id);
    expect(ping.status).toBe(200);
    await bridge!.close();
    await Promise.allSettled(held);
  });
});

/** Waits until the server has recorded `count` events named `name`. */
function eventCount(file: string, name: string, count: number): Promise<true> {
  return untilFileHas(file, (text) =>
    text.split('\n').filter((line) => line.includes(`"event":"${name}"`)).length >= count ? true : undefined,
  );
}
