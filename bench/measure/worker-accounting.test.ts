import { createServer, type Server } from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDirectWorkerd } from '../../dev/stack/direct-workerd.ts';
import { findFreePort } from '../../dev/stack/ports.ts';
import type { RunningWranglerDev } from '../../dev/stack/wrangler-dev.ts';
import { isolateCpuFromProfile, startIsolateProfiler } from './isolate-cpu.ts';
import { countsPerCall, readOperationCounts, writeCountingWrapper } from './operation-counts.ts';
import { OBJECTS_ISOLATE, WORKER_ISOLATE } from './worker-accounting.ts';

// A Worker whose every call does a known set of billable things: two KV reads and a write, a
// request and two RPC calls to a Durable Object, one log line and one subrequest.
const WORKER = `
import { DurableObject } from 'cloudflare:workers';
export class Counter extends DurableObject {
  async add(n) { let x = 0; for (let i = 0; i < 1000000; i += 1) x += Math.sqrt(i); return n + (x > 0 ? 1 : 0); }
  async fetch() { return new Response('object'); }
}
export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname === '/ready') return new Response('ok');
    if (url.pathname === '/setting') return new Response(env.GREETING);
    await env.KV.get('a');
    await env.KV.get('b');
    await env.KV.put('c', 'x');
    const stub = env.COUNTER.get(env.COUNTER.idFromName('one'));
    await (await stub.fetch('http://object/')).text();
    await stub.add(1);
    await stub.add(2);
    console.log('audit line');
    await (await fetch(env.ECHO_URL)).text();
    return new Response('done');
  },
};
`;
const CONFIG = {
  name: 'counting-fixture',
  main: 'index.js',
  compatibility_date: '2026-11-01',
  kv_namespaces: [{ binding: 'KV', id: 'counting-fixture-kv' }],
  durable_objects: { bindings: [{ name: 'COUNTER', class_name: 'Counter' }] },
  migrations: [{ tag: 'v1', new_sqlite_classes: ['Counter'] }],
};

let folder: string;
let echo: Server;
let worker: RunningWranglerDev;
let inspectorPort: number;

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'secure-mcp-accounting-'));
  echo = createServer((_request, response) => response.end('echo'));
  await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
  const echoPort = (echo.address() as { port: number }).port;
  await writeFile(join(folder, 'index.js'), WORKER);
  await writeFile(join(folder, 'wrangler.jsonc'), JSON.stringify(CONFIG));
  await writeFile(join(folder, 'test.env'), `GREETING="from the env file"\nECHO_URL="http://127.0.0.1:${echoPort}/"\n`);
  inspectorPort = await findFreePort();
  worker = await startDirectWorkerd({
    port: await findFreePort(),
    main: await writeCountingWrapper(join(folder, 'index.js')),
    config: join(folder, 'wrangler.jsonc'),
    readyPath: '/ready',
    envFile: join(folder, 'test.env'),
    persistTo: join(folder, 'state'),
    inspectorPort,
    objectsApart: true,
    traceSizes: true,
  });
}, 60_000);

afterAll(async () => {
  await worker?.stop();
  await new Promise((resolve) => echo?.close(resolve));
  await rm(folder, { recursive: true, force: true });
});

const call = async () => {
  const response = await fetch(`${worker.url}/call`);
  expect(await response.text()).toBe('done');
};

describe('a Worker in workerd without wrangler dev', () => {
  it("gets the env file's settings among its bindings", async () => {
    expect(await (await fetch(`${worker.url}/setting`)).text()).toBe('from the env file');
  });
});

describe('the operation-counting wrapper', () => {
  it('counts each KV operation, Durable Object request and RPC call, log line and subrequest of a call', async () => {
    await call();
    const before = await readOperationCounts(worker.url);
    for (let i = 0; i < 3; i += 1) await call();
    const perCall = countsPerCall(before, await readOperationCounts(worker.url), 3);
    expect(perCall).toEqual({
      requests: 1,
      kv: { get: 2, getWithMetadata: 0, put: 1, delete: 0, list: 0 },
      durableObjects: { fetch: 1, rpc: 2 },
      subrequests: 1,
      logEvents: 1,
      logBytes: 'audit line'.length,
    });
  });
});

describe('the trace-sizing tail Worker', () => {
  it("counts one trace event per invocation, the Durable Object's included, with the call's log line inside", async () => {
    const read = async () => (await (await fetch(worker.traceSizesUrl!)).json()) as { events: number; bytes: number };
    const before = await read();
    await call();
    // Tail events arrive after their invocation: four are expected (the Worker, the object's fetch, two RPC calls).
    let after = await read();
    while (after.events < before.events + 4) after = await read();
    expect(after.events - before.events).toBe(4);
    expect(after.bytes - before.bytes).toBeGreaterThan('audit line'.length);
  });
});

describe('CPU profiles of the isolates', () => {
  it('sample an isolate only while it runs: none while no request comes, some for the calls, each isolate its own work', async () => {
    const idle = await startIsolateProfiler(inspectorPort, WORKER_ISOLATE, 250);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(isolateCpuFromProfile(await idle.stop(), 1, 250).samples).toBe(0);

    const profilers = await Promise.all(
      [WORKER_ISOLATE, OBJECTS_ISOLATE].map((isolate) => startIsolateProfiler(inspectorPort, isolate, 250)),
    );
    for (let i = 0; i < 30; i += 1) await call();
    const [workerProfile, objectsProfile] = await Promise.all(profilers.map((profiler) => profiler.stop()));
    // The Durable Object's loop (a million square roots a call) runs in the objects' isolate, not the
    // Worker's, whose own part of a call is a few bindings and a fetch. (V8 does not always name the
    // loop's frame, so the test compares the isolates' time, not their functions.)
    const objects = isolateCpuFromProfile(objectsProfile!, 30, 250);
    const caller = isolateCpuFromProfile(workerProfile!, 30, 250);
    expect(objects.samples).toBeGreaterThan(0);
    expect(objects.msPerCall).toBeGreaterThan(3 * caller.msPerCall);
  });
});
