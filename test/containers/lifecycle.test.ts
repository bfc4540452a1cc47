/**
 * A user's container over its life, with the real `@cloudflare/containers` class and the bridge's
 * signal handling: `sleepAfter` stops an idle container and the next call starts it again; a stdio
 * server that crashes fails its call cleanly and the next call succeeds in the same container;
 * SIGTERM during a slow call (what the platform sends to stop a container) lets the call finish and
 * the bridge exit 0 within its drain limit. The image is `container/Dockerfile` with the test stdio
 * server (test/containers/stdio-server).
 */
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  connectAs,
  containerLogs,
  containersOf,
  containerStopped,
  docker,
  endSession,
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

  it('sleepAfter stops an idle container, and the next call starts it again with a correct answer', async () => {
    const first = await connectAs(stack!, 'alice@example.com');
    expect(resultText(await first.callTool({ name: 'echo', arguments: { message: 'before sleep' } }))).toBe(
      'Echo: before sleep',
    );
    // Ending the session ends its streams: nothing is in flight, so the idle clock runs.
    await endSession(first);
    const [asleep] = await containersOf(stack!, 'alice@example.com');
    const { exitCode } = await containerStopped(stack!, asleep!.id);
    // Exit 0: the bridge stopped itself on the SIGTERM of `sleepAfter` (which sends no SIGKILL).
    expect(exitCode).toBe(0);
    expect(await containerLogs(stack!, asleep!.id)).toContain('"event":"bridge.closed"');

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
});

/** Resolves once `text` appears in the container's log (the engine's log, read as it grows). */
async function waitForLog(stack: TestContainerStack, id: string, text: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!(await containerLogs(stack, id)).includes(text)) {
    if (Date.now() > deadline) throw new Error(`"${text}" never appeared in the log of container ${id}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
