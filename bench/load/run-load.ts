/**
 * `npm run load`: 64 signed-in clients (each its own sign-in, token and session) call echo
 * through the whole local stack for 2 minutes (`--duration 90s`, `--clients N`). Passes only
 * with zero errors, the bridge's and the Worker's memory within their bounds after warm-up, no
 * stray stdio children, and every call in the audit log exactly once. Prints a one-screen
 * summary, writes bench/results/load-latest.json, exits 1 on failure (2 on bad options, 3 when
 * a check is pending).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BENCH_USER } from '../paths/whole-stack.ts';
import { startHostedStack } from '../stack/hosted-stack.ts';
import { auditCoverage, parseAuditLine, type AuditLine } from './audit-coverage.ts';
import { openLoadClient, type LoadClient } from './load-client.ts';
import { parseLoadOptions, type LoadOptions } from './load-options.ts';
import { memoryGrowth } from './memory-growth.ts';
import { descendantsRunning, startSampler } from './process-sampler.ts';
import { loadChecks, loadSummary, type LoadReport } from './summary.ts';

/** Growth allowed after warm-up, stated before any run: a leak of a few KiB per call exceeds it within a minute. */
const MEMORY_BOUND_MIB = { bridge: 64, worker: 128 };
const SIGN_IN_BATCH = 8;
const resultsDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'results');

let options: LoadOptions;
try {
  options = parseLoadOptions(process.argv.slice(2));
} catch (error) {
  console.error(`npm run load: ${(error as Error).message}`);
  process.exit(2);
}
const progress = (line: string) => process.stderr.write(`load: ${line}\n`);

progress('starting the local stack (its own process, Worker logs on)');
const stack = await startHostedStack({ workerLogs: true });
const auditRecords: AuditLine[] = [];
stack.onLog((source, line) => {
  const record = source === 'worker' ? parseAuditLine(line) : undefined;
  if (record) auditRecords.push(record);
});

const clients: LoadClient[] = [];
let report: LoadReport;
try {
  progress(`signing in ${options.clients} clients`);
  const signInStart = performance.now();
  while (clients.length < options.clients) {
    const batch = Math.min(SIGN_IN_BATCH, options.clients - clients.length);
    const first = clients.length;
    clients.push(...(await Promise.all(Array.from({ length: batch }, (_, i) => openLoadClient(stack.mcpUrl, BENCH_USER, first + i)))));
  }
  const signInSeconds = (performance.now() - signInStart) / 1000;

  progress(`calling for ${options.durationSeconds} s`);
  const sampler = startSampler(
    [
      { name: 'bridge', pids: async () => [stack.hostPid] },
      { name: 'Worker (workerd)', pids: () => descendantsRunning(stack.wranglerPid, 'workerd') },
    ],
    2_000,
  );
  const callStart = performance.now();
  await Promise.all(clients.map((client) => client.callUntil(callStart + options.durationSeconds * 1000)));
  const callSeconds = (performance.now() - callStart) / 1000;
  const childrenAtEnd = (await descendantsRunning(stack.hostPid, 'server-everything')).length;
  const series = await sampler.stop();

  const digests = (await Promise.all(clients.map((client) => client.digests()))).flat();
  progress('waiting for the audit log to catch up');
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline && auditRecords.filter((record) => record.method === 'tools/call').length < digests.length) {
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const calls = clients.reduce((sum, client) => sum + client.calls, 0);
  const errors = clients.reduce((sum, client) => sum + client.errors, 0);
  // Memory after warm-up is compared with the warm-up's highest sample; 30 s holds a few GC cycles of workerd.
  const warmUpSeconds = Math.min(30, options.durationSeconds / 2);
  report = {
    clients: options.clients,
    durationSeconds: options.durationSeconds,
    signInSeconds,
    calls,
    errors,
    firstError: clients.find((client) => client.firstError)?.firstError,
    callsPerSecond: calls / callSeconds,
    memory: [memoryGrowth(series[0]!, warmUpSeconds, MEMORY_BOUND_MIB.bridge), memoryGrowth(series[1]!, warmUpSeconds, MEMORY_BOUND_MIB.worker)],
    children: { atEnd: childrenAtEnd, bound: options.clients },
    audit: auditRecords.length === 0 ? undefined : auditCoverage(digests, auditRecords, 'echo'),
  };
  await mkdir(resultsDir, { recursive: true });
  await writeFile(join(resultsDir, 'load-latest.json'), `${JSON.stringify({ finishedAt: new Date().toISOString(), ...report, memorySeries: series }, null, 2)}\n`);
} finally {
  await Promise.all(clients.map((client) => client.close().catch(() => {})));
  await stack.stop();
}

const checks = loadChecks(report);
console.log(loadSummary(report, checks));
process.exit(checks.some((check) => check.verdict === 'fail') ? 1 : checks.some((check) => check.verdict === 'pending') ? 3 : 0);
