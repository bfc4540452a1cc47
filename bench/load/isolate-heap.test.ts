import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findFreePort } from '../../dev/stack/ports.ts';
import { connectIsolateInspector } from './isolate-heap.ts';

// Node's own inspector speaks the same DevTools protocol as workerd's, so a Node process stands in for the isolate.
let inspected: ChildProcess;
let inspectorPort: number;

beforeAll(async () => {
  // About 40 MiB of garbage (not yet collected when the test measures) and 8 MiB kept alive.
  const heap =
    'let junk = Array.from({ length: 1e6 }, (_, i) => ({ i })); junk = null; globalThis.kept = Array.from({ length: 2e5 }, (_, i) => ({ i }));';
  const keepLive = `${heap} setInterval(() => {}, 1e3);`;
  inspected = spawn(process.execPath, ['--inspect=127.0.0.1:0', '-e', keepLive], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  for await (const chunk of inspected.stderr!) {
    stderr += String(chunk);
    const match = /Debugger listening on ws:\/\/127\.0\.0\.1:(\d+)\//.exec(stderr);
    if (match) {
      inspectorPort = Number(match[1]);
      break;
    }
  }
});

afterAll(async () => {
  inspected.kill();
  if (inspected.exitCode === null) await once(inspected, 'exit');
});

describe('connectIsolateInspector', () => {
  // First, while the garbage is still there: the snapshot's collection (the next test) would take it away.
  it("forces the collection without a heap snapshot when told the inspector is Node's, and gives the heap V8 holds", async () => {
    const inspector = await connectIsolateInspector(inspectorPort, { runtime: 'node' });
    const usedBytes = await inspector.usedHeapAfterFullGc();
    const committedBytes = await inspector.committedHeapBytes();
    inspector.close();
    expect(usedBytes).toBeGreaterThan(6 * 2 ** 20);
    expect(usedBytes).toBeLessThan(24 * 2 ** 20);
    expect(committedBytes).toBeGreaterThanOrEqual(usedBytes);
  });

  it('gives the live heap after a full collection: what the process keeps, without its garbage', async () => {
    const inspector = await connectIsolateInspector(inspectorPort);
    const usedBytes = await inspector.usedHeapAfterFullGc();
    inspector.close();
    expect(usedBytes).toBeGreaterThan(6 * 2 ** 20);
    expect(usedBytes).toBeLessThan(24 * 2 ** 20);
  });

  it('says which port did not answer and what to check', async () => {
    const nothingThere = await findFreePort();
    await expect(connectIsolateInspector(nothingThere)).rejects.toThrow(
      new RegExp(`127\\.0\\.0\\.1:${nothingThere}/json/list is unreachable .*--inspector-port ${nothingThere}`),
    );
  });
});
