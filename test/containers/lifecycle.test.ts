/**
 * A user's container over its life, with the real `@cloudflare/containers` class and the bridge's
 * signal handling: `sleepAfter` stops an idle container and the next call starts it again; a stdio
 * server that crashes fails its call cleanly and the next call succeeds in the same container;
 * SIGTERM during a slow call (what the platform sends to stop a container) lets the call finish and
 * the bridge exit 0 within its drain limit; a container stopped outside its Durable Object (killed,
 * or its bridge gone while the runtime still reports it running) is replaced on the next call. The image is `container/Dockerfile` with the test stdio
 * server (test/containers/stdio-server).
 */
import type { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_KEEP_ALIVE_MS } from '../../container/src/session-http-transport.ts';
import {
  connectAs,
  containerLogs,
  containersOf,
  containerStopped,
  docker,
  resultText,
  skipsWithoutEngine,
  startTestContainerStack,
  type TestContainerStack,
} from './container-engine.ts';

/** Short enough to wait for in a test; the bridge's own idle and drain limits stay the defaults. */
const SLEEP_AFTER = '4s';
/** The bridge's default drain limit (BRIDGE_DRAIN_MS, container/src/bridge-limits.ts). */
const DRAIN_LIMIT_MS = 30_000;

describe.skipIf(skipsWithoutEngine())('a container over its life', () => {
  let stack: TestContainerStack | undefined;

  beforeAll(async () => {
    stack = await startTestContainerStack({ testServer: true, settings: { MCP_CONTAINER_SLEEP_AFTER: SLEEP_AFTER } });
  });

  afterAll(async () => {
    await stack?.cleanup();
  });

  it('sleepAfter stops an idle container whose client just dropped its connections, and the next call starts it again with a correct answer', async () => {
    const first = await connectAs(stack!, 'alice@example.com');
    expect(resultText(await first.callTool({ name: 'echo', arguments: { message: 'before sleep' } }))).toBe(
      'Echo: before sleep',
    );
    const sessionId = (first.transport as StreamableHTTPClientTransport).sessionId;
    // Only drops its connections, as a crashed client does: no DELETE ends the session, and its GET
    // stream counted as a request in flight (which keeps a container awake) until someone noticed.
    await first.close();
    const [asleep] = await containersOf(stack!, 'alice@example.com');
    const { exitCode } = await containerStopped(stack!, asleep!.id);
    // Exit 0: the bridge stopped itself on the SIGTERM of `sleepAfter` (which sends no SIGKILL).
    expect(exitCode).toBe(0);
    const logs = await containerLogs(stack!, asleep!.id);
    expect(logs).toContain('"event":"bridge.closed"');
    // The gateway ended the GET stream itself when its client left, before the bridge's first
    // keep-alive on it: that write was the only other way the dropped connection got noticed
    // (one keep-alive per hop: Worker, container class).
    const stream = streamClosedRecord(logs, sessionId!);
    expect(stream.durationMs).toBeLessThan(SESSION_KEEP_ALIVE_MS);

    const again = await connectAs(stack!, 'alice@example.com');
    try {
      expect(resultText(await again.callTool({ name: 'echo', arguments: { message: 'after sleep' } }))).toBe(
        'Echo: after sleep',
      );
    } finally {
      await again.close();
    }
    const running = (await containersOf(stack!, 'alice@example.com')).filter(
      (container) => container.state === 'running',
    );
    expect(running).toHaveLength(1);
  });

  it('a stdio server that crashes fails its call cleanly, and the next call succeeds', async () => {
    const client = await connectAs(stack!, 'alice@example.com');
    const [container] = (await containersOf(stack!, 'alice@example.com')).filter((entry) => entry.state === 'running');
    const error = await client.callTool({ name: 'crash', arguments: { code: 3 } }).catch((caught: unknown) => caught);
    await client.close();
    expect(error).toBeInstanceOf(McpError);
    expect((error as McpError).message).toMatch(/exited/i);
    expect(await containerLogs(stack!, container!.id)).toMatch(/"event":"child\.exited".*"code":3/);

    const next = await connectAs(stack!, 'alice@example.com');
    try {
      expect(resultText(await next.callTool({ name: 'echo', arguments: { message: 'after the crash' } }))).toBe(
        'Echo: after the crash',
      );
    } finally {
      await next.close();
    }
    // The same container served it: a crashed server does not take its container with it.
    const running = (await containersOf(stack!, 'alice@example.com')).filter((entry) => entry.state === 'running');
    expect(running.map((entry) => entry.id)).toEqual([container!.id]);
  });

  it('SIGTERM during a slow call: the call finishes, and the bridge drains and exits 0 within its limit', async () => {
    const client = await connectAs(stack!, 'alice@example.com');
    const running = (await containersOf(stack!, 'alice@example.com')).find(
      (container) => container.state === 'running',
    );
    expect(running).toBeDefined();
    const call = client.callTool({ name: 'slow', arguments: { ms: 4_000 } }, undefined, { timeout: 60_000 });
    await waitForLog(stack!, running!.id, 'slow call started');

    const signalled = Date.now();
    await docker(stack!, ['kill', '--signal', 'TERM', running!.id]);
    expect(resultText(await call)).toBe('slept 4000 ms');
    const { exitCode } = await containerStopped(stack!, running!.id);
    const drainedIn = Date.now() - signalled;
    await client.close();

    expect(exitCode).toBe(0);
    expect(drainedIn).toBeLessThan(DRAIN_LIMIT_MS);
    const logs = await containerLogs(stack!, running!.id);
    expect(logs).toContain('"event":"bridge.draining"');
    expect(logs).toContain('"event":"bridge.closed"');
  });

  it('a container killed from outside: her next call starts a new one and gets a correct answer', async () => {
    const client = await connectAs(stack!, 'alice@example.com');
    expect(resultText(await client.callTool({ name: 'echo', arguments: { message: 'before the kill' } }))).toBe(
      'Echo: before the kill',
    );
    await client.close();
    const [killed] = await runningContainersOf(stack!, 'alice@example.com');
    // As the platform, the kernel's OOM killer or a crash would: nothing tells the Durable Object.
    await docker(stack!, ['kill', killed!.id]);
    expect((await containerStopped(stack!, killed!.id)).exitCode).toBe(137);

    const next = await connectAs(stack!, 'alice@example.com');
    try {
      expect(resultText(await next.callTool({ name: 'echo', arguments: { message: 'after the kill' } }))).toBe(
        'Echo: after the kill',
      );
    } finally {
      await next.close();
    }
    const [replacement] = await runningContainersOf(stack!, 'alice@example.com');
    expect(replacement!.id).not.toBe(killed!.id);
  });

  it('a container whose bridge died while the runtime still reports it running: the next call is delivered to a new one', async () => {
    const client = await connectAs(stack!, 'alice@example.com');
    expect(resultText(await client.callTool({ name: 'echo', arguments: { message: 'before' } }))).toBe('Echo: before');
    await client.close();
    const [broken] = await runningContainersOf(stack!, 'alice@example.com');
    // The moment between a container's end and the runtime noticing it, held open: its init (tini)
    // frozen so the container cannot exit, its bridge killed so nothing listens on its port.
    const processes = await hostProcesses(stack!, broken!.id);
    const tini = processes.find((entry) => entry.command.startsWith('/usr/bin/tini'))!;
    const bridge = processes.find((entry) => entry.command === 'node /app/bridge.mjs')!;
    process.kill(tini.pid, 'SIGSTOP');
    process.kill(bridge.pid, 'SIGKILL');

    const next = await connectAs(stack!, 'alice@example.com');
    try {
      expect(resultText(await next.callTool({ name: 'echo', arguments: { message: 'delivered' } }))).toBe(
        'Echo: delivered',
      );
    } finally {
      await next.close();
    }
    // The unreachable container was removed rather than left running beside its replacement.
    const running = await runningContainersOf(stack!, 'alice@example.com');
    expect(running.map((entry) => entry.id)).not.toContain(broken!.id);
    expect(running).toHaveLength(1);
  });
});

/** The user's containers that run now. */
async function runningContainersOf(stack: TestContainerStack, email: string) {
  return (await containersOf(stack, email)).filter((container) => container.state === 'running');
}

/** The processes of container `id` with their process ids on this machine (`docker top`). */
async function hostProcesses(stack: TestContainerStack, id: string): Promise<Array<{ pid: number; command: string }>> {
  const lines = (await docker(stack, ['top', id, '-eo', 'pid,args'])).trim().split('\n').slice(1);
  return lines.map((line) => {
    const [pid, ...command] = line.trim().split(/\s+/);
    return { pid: Number(pid), command: command.join(' ') };
  });
}

/** Resolves once `text` appears in the container's log (the engine's log, read as it grows). */
async function waitForLog(stack: TestContainerStack, id: string, text: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!(await containerLogs(stack, id)).includes(text)) {
    if (Date.now() > deadline) throw new Error(`"${text}" never appeared in the log of container ${id}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The bridge's `stream.closed` record of a session's GET stream, from the container's log. */
function streamClosedRecord(logs: string, sessionId: string): { durationMs: number } {
  const line = logs
    .split('\n')
    .find((entry) => entry.includes('"event":"stream.closed"') && entry.includes(`"sessionId":"${sessionId}"`));
  if (!line) throw new Error(`the bridge logged no stream.closed for session ${sessionId}`);
  return JSON.parse(line) as { durationMs: number };
}
