/**
 * `npm run bench:profile`: where the time of one proxied call goes in the local stack. Each
 * probe adds one stage to the one before, measured the same way as every benchmark row
 * (1,000 warm-up, 200 timed sequential requests, nearest-rank percentiles), with plain `fetch`
 * so no MCP client work is counted:
 *
 * 0. wrangler dev in front of a bare Worker that only answers "ok" (`load/bare-worker/`): the floor;
 * 1. wrangler dev + Worker routing: the discovery document (no KV, no upstream);
 * 2. + the OAuth provider rejecting an unknown token (one KV read);
 * 3. + a valid token and the policy gate denying a call (token record, decision, audit);
 * 4. + the forward to the bridge and server-everything: a full `tools/call` of echo;
 * and the bridge alone (its own process) for the same call. Each stage also says how much CPU
 * each process spent per request (from /proc), which is steadier than wall time on a shared machine.
 *
 * The same stages again with the Worker in workerd without wrangler dev (dev/stack/direct-workerd.ts),
 * as Cloudflare runs it. Then where the CPU goes when the machine is full: 32 MCP SDK clients, each on
 * its own session, call in a loop for 8 s through our stack and through the template shape
 * (`paths/template-live.ts`), and each process's CPU time is divided by the calls completed. Last,
 * where each isolate's CPU goes part by part (CPU profiles of the production-like instances:
 * `measure/production-accounting.ts`): our proxied call, our native tool, the template shape.
 * Prints the tables and writes bench/results/hot-path.json.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { obtainTokens } from '../dev/client/obtain-tokens.ts';
import { findFreePort } from '../dev/stack/ports.ts';
import { build } from 'esbuild';
import { startDirectWorkerd } from '../dev/stack/direct-workerd.ts';
import { startWranglerDev } from '../dev/stack/wrangler-dev.ts';
import { measureProductionAccounting } from './measure/production-accounting.ts';
import { cpuPerCall, type CpuShare } from './measure/process-cpu.ts';
import { descendantPids } from './measure/process-memory.ts';
import { measureThroughput } from './measure/throughput.ts';
import type { EchoPath } from './paths/echo-path.ts';
import { templateLivePath } from './paths/template-live.ts';
import { wholeStackPath } from './paths/whole-stack.ts';
import { markdownTable } from './report/markdown.ts';
import { startHostedBridge, startHostedStack } from './stack/hosted-stack.ts';
import { summarizeLatency, type LatencySummary } from './stats/latency-summary.ts';
import { TIMED_CALLS, WARM_UP_CALLS } from './measure/sequential-latency.ts';
import { BENCH_USER } from './paths/whole-stack.ts';

const CPU_CLIENTS = 32;
const CPU_SECONDS = 8;

const here = dirname(fileURLToPath(import.meta.url));
const resultsFile = join(here, 'results', 'hot-path.json');
const mcpHeaders = {
  'Content-Type': 'application/json',
  Accept: 'application/json, text/event-stream',
  'MCP-Protocol-Version': '2025-06-18',
};
const echoCall = JSON.stringify({
  jsonrpc: '2.0',
  id: 2,
  method: 'tools/call',
  params: { name: 'echo', arguments: { message: 'bench' } },
});

/** A stage: its latency, and the CPU each process spent per request during the timed requests. */
interface Stage {
  stage: string;
  latency: LatencySummary;
  cpu: CpuShare[];
}

/** Times `request` sequentially; every answer must have the expected status. CPU is read from the host process and its descendants. */
async function probe(
  stage: string,
  request: () => Promise<Response>,
  expectedStatus: number,
  hostPid: number,
): Promise<Stage> {
  const once = async () => {
    const response = await request();
    const body = await response.text();
    if (response.status !== expectedStatus)
      throw new Error(`expected HTTP ${expectedStatus}, got ${response.status}: ${body.slice(0, 200)}`);
  };
  for (let i = 0; i < WARM_UP_CALLS; i += 1) await once();
  const samples: number[] = [];
  const pids = [hostPid, ...(await descendantPids(hostPid))];
  const cpu = await cpuPerCall(
    pids,
    (pid, commandLine) => processRole(pid, commandLine, { clients: process.pid, host: hostPid }),
    async () => {
      for (let i = 0; i < TIMED_CALLS; i += 1) {
        const start = performance.now();
        await once();
        samples.push(performance.now() - start);
      }
      return TIMED_CALLS;
    },
  );
  return { stage, latency: summarizeLatency(samples), cpu: cpu.filter((share) => share.msPerCall > 0) };
}

/** Opens an MCP session with plain fetch; returns the headers every later request needs. */
async function openSession(url: string, extra: Record<string, string> = {}): Promise<Record<string, string>> {
  const initialize = JSON.stringify({
    jsonrpc: '2.0',
    id: 1,
    method: 'initialize',
    params: {
      protocolVersion: '2025-06-18',
      capabilities: {},
      clientInfo: { name: 'bench-profile', version: '1.0.0' },
    },
  });
  const response = await fetch(url, { method: 'POST', headers: { ...mcpHeaders, ...extra }, body: initialize });
  await response.text();
  const sessionId = response.headers.get('mcp-session-id');
  if (!response.ok || !sessionId) throw new Error(`initialize at ${url} failed: HTTP ${response.status}`);
  const headers = { ...mcpHeaders, ...extra, 'Mcp-Session-Id': sessionId };
  await (
    await fetch(url, {
      method: 'POST',
      headers,
      body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
    })
  ).text();
  return headers;
}

/** Names a process of a gateway row by what it runs. */
function processRole(pid: number, commandLine: string, roots: { clients: number; host?: number }): string {
  if (pid === roots.clients)
    return roots.host === undefined ? 'bench clients (and the Access stand-in)' : 'bench clients';
  if (commandLine.includes('wrangler-dev-host')) return 'wrangler (Node)';
  if (commandLine.includes('direct-workerd-host')) return 'Miniflare (Node)';
  // The stack's host process also runs the Access stand-in, idle once the clients are signed in.
  if (pid === roots.host) return 'bridge (Node)';
  if (commandLine.includes('server-everything')) return 'stdio servers (server-everything)';
  if (commandLine.includes('workerd'))
    return commandLine.includes('--socket-addr=entry=localhost') ? "workerd: wrangler's proxy" : 'workerd: the Worker';
  return commandLine.split(' ')[0]!.split('/').at(-1)!;
}

/** CPU per call of every process of a row while CPU_CLIENTS clients call in a loop. */
async function cpuSplit(
  path: EchoPath,
  pids: () => Promise<number[]>,
  host?: number,
): Promise<{ callsPerSecond: number; shares: CpuShare[] }> {
  const clients = await Promise.all(Array.from({ length: CPU_CLIENTS }, () => path.openClient()));
  try {
    await measureThroughput(clients, 2);
    let callsPerSecond = 0;
    const shares = await cpuPerCall(
      await pids(),
      (pid, commandLine) => processRole(pid, commandLine, { clients: process.pid, host }),
      async () => {
        const result = await measureThroughput(clients, CPU_SECONDS);
        if (result.errors > 0) throw new Error(`${result.errors} calls failed: ${result.firstError}`);
        callsPerSecond = result.callsPerSecond;
        return result.calls;
      },
    );
    return { callsPerSecond, shares };
  } finally {
    await Promise.all(clients.map((client) => client.close().catch(() => {})));
  }
}

// The machine is shared: the load at the start says how to read the figures (as latest.json records it).
const loadAverageAtStart = Math.round(loadavg()[0]! * 100) / 100;
const stages: Stage[] = [];
const cpu: Array<{ row: string; callsPerSecond: number; shares: CpuShare[] }> = [];
const bridge = await startHostedBridge();
try {
  const headers = await openSession(`${bridge.bridgeUrl}/mcp`);
  stages.push(
    await probe(
      'bridge alone: tools/call echo',
      () => fetch(`${bridge.bridgeUrl}/mcp`, { method: 'POST', headers, body: echoCall }),
      200,
      bridge.hostPid,
    ),
  );
} finally {
  await bridge.stop();
}

/** The bare "ok" Worker, bundled as worker/build.ts bundles ours, for workerd without wrangler dev. */
async function bareWorkerBundle(folder: string): Promise<string> {
  const main = join(folder, 'bundle', 'index.js');
  await build({
    entryPoints: [join(here, 'load', 'bare-worker', 'index.ts')],
    outfile: main,
    bundle: true,
    format: 'esm',
    logLevel: 'warning',
  });
  return main;
}

/**
 * Stages 0 to 4 under one way of running the Worker: 0 with the bare "ok" Worker, 1 to 4 with the
 * whole stack. `workerd` runs both without wrangler dev (dev/stack/direct-workerd.ts).
 */
async function probeStages(runtime: 'wrangler dev' | 'workerd'): Promise<Stage[]> {
  const found: Stage[] = [];
  const bareState = await mkdtemp(join(tmpdir(), 'secure-mcp-profile-bare-'));
  try {
    const envFile = join(bareState, '.dev.vars');
    await writeFile(envFile, '');
    const config = join(here, 'load', 'bare-worker', 'wrangler.jsonc');
    const bare =
      runtime === 'workerd'
        ? await startDirectWorkerd({
            port: await findFreePort(),
            config,
            main: await bareWorkerBundle(bareState),
            readyPath: '/',
            envFile,
            persistTo: join(bareState, 'workerd-state'),
          })
        : await startWranglerDev({
            port: await findFreePort(),
            config,
            readyPath: '/',
            envFile,
            persistTo: join(bareState, 'wrangler-state'),
            configHome: join(bareState, 'wrangler-config'),
          });
    try {
      found.push(await probe(`0. ${runtime} + a bare "ok" Worker`, () => fetch(bare.url), 200, bare.process.pid!));
    } finally {
      await bare.stop();
    }
  } finally {
    await rm(bareState, { recursive: true, force: true });
  }

  const stack = await startHostedStack({ workerd: runtime === 'workerd' });
  try {
    const { access_token } = await obtainTokens(stack.mcpUrl, BENCH_USER);
    const auth = { Authorization: `Bearer ${access_token}` };
    const discovery = `${stack.workerUrl}/.well-known/oauth-authorization-server`;
    found.push(await probe(`1. ${runtime} + Worker: discovery document`, () => fetch(discovery), 200, stack.hostPid));
    found.push(
      await probe(
        '2. + OAuth provider: unknown token refused',
        () =>
          fetch(stack.mcpUrl, {
            method: 'POST',
            headers: { ...mcpHeaders, Authorization: 'Bearer a:b:c' },
            body: echoCall,
          }),
        401,
        stack.hostPid,
      ),
    );
    const session = await openSession(stack.mcpUrl, auth);
    const denied = JSON.stringify({
      jsonrpc: '2.0',
      id: 3,
      method: 'tools/call',
      params: { name: 'get-env', arguments: {} },
    });
    const deniedProbe = () => fetch(stack.mcpUrl, { method: 'POST', headers: session, body: denied });
    const deniedStatus = await deniedProbe().then(async (response) => (await response.text(), response.status));
    found.push(await probe('3. + valid token, policy gate denies the call', deniedProbe, deniedStatus, stack.hostPid));
    found.push(
      await probe(
        '4. + forward to the bridge: tools/call echo',
        () => fetch(stack.mcpUrl, { method: 'POST', headers: session, body: echoCall }),
        200,
        stack.hostPid,
      ),
    );
    if (runtime === 'wrangler dev') {
      const stackPids = async () => [process.pid, stack.hostPid, ...(await descendantPids(stack.hostPid))];
      cpu.push({
        row: 'whole local stack (echo)',
        ...(await cpuSplit(await wholeStackPath(stack), stackPids, stack.hostPid)),
      });
    }
  } finally {
    await stack.stop();
  }
  return found;
}

// The floor of every Worker row, then the Worker stage by stage: under wrangler dev, then as deployed.
stages.push(...(await probeStages('wrangler dev')));
const productionStages = await probeStages('workerd');

// The comparison is worth having, but not at the price of the stages measured above.
try {
  const template = await templateLivePath();
  try {
    const templatePids = async () => [
      process.pid,
      template.wranglerPid,
      ...(await descendantPids(template.wranglerPid)),
    ];
    cpu.push({ row: 'Cloudflare template shape (add)', ...(await cpuSplit(template, templatePids)) });
  } finally {
    await template.stop();
  }
} catch (error) {
  console.error(`bench:profile: the template shape was not measured: ${(error as Error).message.split('\n')[0]}`);
}

// Where the isolates' CPU goes, part by part: CPU profiles of the production-like instances.
const accounting = await measureProductionAccounting({
  onProgress: (line) => process.stderr.write(`bench:profile: ${line}\n`),
}).catch((error: Error) => {
  console.error(`bench:profile: no CPU profiles of the isolates: ${error.message.split('\n')[0]}`);
  return undefined;
});

const ms = (value: number) => value.toFixed(2);
const cpuOf = (stage: Stage, name: string) => stage.cpu.find((share) => share.name === name)?.msPerCall;
const cpuCell = (value: number | undefined) => (value === undefined ? '' : value.toFixed(2));
const stageTable = (rows: Stage[], second: string) =>
  markdownTable(
    ['stage', 'median ms', 'p90 ms', 'p99 ms', 'CPU ms/request: the Worker', second, 'bridge', 'stdio server'],
    rows.map((stage) => [
      stage.stage,
      ms(stage.latency.median),
      ms(stage.latency.p90),
      ms(stage.latency.p99),
      cpuCell(cpuOf(stage, 'workerd: the Worker')),
      cpuCell(cpuOf(stage, second === "wrangler's proxy" ? "workerd: wrangler's proxy" : 'Miniflare (Node)')),
      cpuCell(cpuOf(stage, 'bridge (Node)')),
      cpuCell(cpuOf(stage, 'stdio servers (server-everything)')),
    ]),
    [false, true, true, true, true, true, true, true],
  );
console.log(`Under wrangler dev:\n${stageTable(stages, "wrangler's proxy")}`);
console.log(`\nIn workerd without wrangler dev (as deployed):\n${stageTable(productionStages, 'Miniflare (Node)')}`);
for (const { row, callsPerSecond, shares } of cpu) {
  const total = shares.reduce((sum, share) => sum + share.msPerCall, 0);
  console.log(
    `\n${row}: ${CPU_CLIENTS} clients, ${callsPerSecond.toFixed(0)} calls/s, ${total.toFixed(2)} ms of CPU per call in all`,
  );
  console.log(
    markdownTable(
      ['process', 'CPU ms per call', 'cores busy'],
      shares.map((share) => [share.name, share.msPerCall.toFixed(3), share.cores.toFixed(2)]),
      [false, true, true],
    ),
  );
}
const isolates = (accounting?.paths ?? []).map(({ id, label, accounting: measured }) => ({
  id,
  label,
  calls: measured.calls,
  worker: { msPerCall: measured.worker.msPerCall, parts: measured.worker.parts },
  objects: { msPerCall: measured.objects.msPerCall, parts: measured.objects.parts },
}));
for (const isolate of isolates)
  for (const [name, cpuOfIsolate] of [
    ["the Worker's isolate", isolate.worker],
    ["the Durable Objects' isolate", isolate.objects],
  ] as const) {
    if (cpuOfIsolate.msPerCall === 0) continue;
    console.log(`\n${isolate.label}, ${name}: ${cpuOfIsolate.msPerCall.toFixed(3)} ms of CPU per call (CPU profile)`);
    console.log(
      markdownTable(
        ['part', 'ms per call'],
        cpuOfIsolate.parts.map((part) => [part.part, part.msPerCall.toFixed(3)]),
        [false, true],
      ),
    );
  }
await writeFile(
  resultsFile,
  `${JSON.stringify({ measuredAt: new Date().toISOString(), loadAverageAtStart, stages, productionStages, cpuAt32Clients: cpu, isolates }, null, 2)}\n`,
);
