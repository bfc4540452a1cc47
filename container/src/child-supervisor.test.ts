import { describe, expect, it, vi } from 'vitest';
import { ChildSlots } from './child-slots.ts';
import { ChildSupervisor, restartDelay } from './child-supervisor.ts';
import { isRunning, SERVER_EVERYTHING } from '../test/test-support.ts';

const timing = { restartBackoffMs: 100, maxRestartBackoffMs: 1_000, healthyAfterMs: 60_000, idleMs: 60_000 };

function supervisor(overrides: Partial<typeof timing> = {}, command = SERVER_EVERYTHING, slots = new ChildSlots(4)) {
  const logs: Array<{ event: string; [field: string]: unknown }> = [];
  const supervised = new ChildSupervisor(
    {
      command,
      capabilities: {},
      initializeTimeoutMs: 10_000,
      maxResponseBytes: 1 << 20,
      log: (event, fields) => logs.push({ event, ...fields }),
    },
    { ...timing, ...overrides },
    slots,
    { userKey: 'test' },
  );
  return { supervised, logs, slots };
}

describe('restartDelay', () => {
  it('starts at once, then doubles per failure in a row, up to the maximum', () => {
    expect([0, 1, 2, 3, 4, 5, 10].map((failures) => restartDelay(failures, timing))).toEqual([
      0, 100, 200, 400, 800, 1_000, 1_000,
    ]);
  });
});

describe('ChildSupervisor', () => {
  it('starts the child again after it dies, waiting the backoff first', async () => {
    const { supervised, logs } = supervisor({ restartBackoffMs: 300 });
    const first = await supervised.child();
    process.kill(first.pid, 'SIGKILL');
    await first.exited;
    const restartedAt = Date.now();
    const second = await supervised.child();
    expect(second.pid).not.toBe(first.pid);
    expect(Date.now() - restartedAt).toBeGreaterThanOrEqual(250);
    await expect(second.call('tools/list', {})).resolves.toMatchObject({ tools: expect.any(Array) });
    expect(logs.filter((record) => record.event === 'child.spawned')).toHaveLength(2);
    await supervised.close();
    expect(isRunning(second.pid)).toBe(false);
  });

  it('stops a child that has been idle, and starts a fresh one on the next use', async () => {
    const { supervised, logs, slots } = supervisor({ idleMs: 200 });
    const first = await supervised.child();
    await vi.waitFor(() => expect(isRunning(first.pid)).toBe(false), { timeout: 5_000 });
    expect(logs).toContainEqual(expect.objectContaining({ event: 'child.reaped', pid: first.pid }));
    await vi.waitFor(() => expect(slots.used).toBe(0));
    const second = await supervised.child();
    expect(second.pid).not.toBe(first.pid);
    await supervised.close();
  });

  it('counts its child against the bridge’s cap', async () => {
    const slots = new ChildSlots(1);
    const { supervised: first } = supervisor({}, SERVER_EVERYTHING, slots);
    const { supervised: second } = supervisor({}, SERVER_EVERYTHING, slots);
    await first.child();
    await expect(second.child()).rejects.toThrow(/already runs 1 MCP server processes/);
    await first.close();
    await second.close();
  });
});
