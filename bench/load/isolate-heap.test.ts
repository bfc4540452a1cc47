import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findFreePort } from '../../dev/stack/ports.ts';
import { connectIsolateInspector } from './isolate-heap.ts';

// Node's own inspector speaks the same DevTools protocol as workerd's, so a Node process stands in for the isolate.
let inspected: ChildProcess;
let inspectorPort: number;
/**
 * What the inspected process measured of its own heap (V8's own figures, so the bounds below
 * hold whatever the V8 version makes an object weigh): the heap before the test data, what the
 * data it keeps adds, and what the garbage it then drops (uncollected) weighed.
 */
let own: { baseBytes: number; keptBytes: number; garbageBytes: number };

beforeAll(async () => {
  const script = `
    gc(); const base = process.memoryUsage().heapUsed;
    globalThis.kept = Array.from({ length: 2e5 }, (_, i) => ({ i }));
    gc(); const kept = process.memoryUsage().heapUsed - base;
    let junk = Array.from({ length: 1e6 }, (_, i) => ({ i }));
    const garbage = process.memoryUsage().heapUsed - base - kept;
    junk = null;
    console.log(JSON.stringify({ baseBytes: base, keptBytes: kept, garbageBytes: garbage }));
    setInterval(() => {}, 1e3);`;
  // No incremental marking: else V8 finishes a collection on its own right after the allocation,
  // and the garbage would be gone before the test could show that the inspector collects it.
  const flags = ['--expose-gc', '--no-incremental-marking', '--inspect=127.0.0.1:0'];
  inspected = spawn(process.execPath, [...flags, '-e', script], {
    stdio: ['ignore', 'pipe', 'pipe'],
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
  const [line] = (await once(createInterface({ input: inspected.stdout! }), 'line')) as [string];
  own = JSON.parse(line) as typeof own;
});

afterAll(async () => {
  inspected.kill();
  if (inspected.exitCode === null) await once(inspected, 'exit');
});

/** The live heap: the base and the kept data, with the garbage collected (half of each as slack). */
function expectLiveHeapOnly(usedBytes: number) {
  expect(own.garbageBytes).toBeGreaterThan(2 * own.keptBytes); // the test data itself is as meant
  expect(usedBytes).toBeGreaterThan(own.baseBytes + own.keptBytes / 2);
  expect(usedBytes).toBeLessThan(own.baseBytes + own.keptBytes + own.garbageBytes / 2);
}

describe('connectIsolateInspector', () => {
  // First, while the garbage is still there: the snapshot's collection (the next test) would take it away.
  it("forces the collection without a heap snapshot when told the inspector is Node's, and gives the heap V8 holds", async () => {
    const inspector = await connectIsolateInspector(inspectorPort, { runtime: 'node' });
    const usedBytes = await inspector.usedHeapAfterFullGc();
    const committedBytes = await inspector.committedHeapBytes();
    inspector.close();
    expectLiveHeapOnly(usedBytes);
    expect(committedBytes).toBeGreaterThanOrEqual(usedBytes);
  });

  it('gives the live heap after a full collection: what the process keeps, without its garbage', async () => {
    const inspector = await connectIsolateInspector(inspectorPort);
    const usedBytes = await inspector.usedHeapAfterFullGc();
    inspector.close();
    expectLiveHeapOnly(usedBytes);
  });

  it('says which port did not answer and what to check', async () => {
    const nothingThere = await findFreePort();
    await expect(connectIsolateInspector(nothingThere)).rejects.toThrow(
      new RegExp(`127\\.0\\.0\\.1:${nothingThere}/json/list is unreachable .*--inspector-port ${nothingThere}`),
    );
  });
});
