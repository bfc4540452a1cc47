/**
 * Runs a private local stack in a process of its own, so a benchmark's clients never share an
 * event loop (or a resident set) with the bridge they measure. Started by `hosted-stack.ts`;
 * speaks `host-protocol.ts` on stdout (every log line of the stack, then `ready`).
 * Like `startPrivateStack()`: free ports, its own state folder, removed at the end.
 * `--worker-logs` passes the Worker's `console.log` lines (the audit records) through.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalStack } from '../../dev/stack/local-stack.ts';
import { findFreePort } from '../../dev/stack/ports.ts';
import { BENCH_BRIDGE_LIMITS, sendHostMessage, stopWithParent } from './host-protocol.ts';

const workerLogs = process.argv.includes('--worker-logs');
const stateDir = await mkdtemp(join(tmpdir(), 'secure-mcp-bench-stack-'));
const stack = await startLocalStack({
  workerPort: await findFreePort(),
  accessPort: 0,
  bridgePort: 0,
  stateDir,
  devVarsPath: join(stateDir, '.dev.vars'),
  bridgeLimits: BENCH_BRIDGE_LIMITS,
  workerLogLevel: workerLogs ? 'log' : 'warn',
  log: (source, line) => sendHostMessage({ log: { source, line } }),
}).catch(async (error: unknown) => {
  await rm(stateDir, { recursive: true, force: true });
  throw error;
});
sendHostMessage({ ready: { bridgeUrl: stack.bridge.url, mcpUrl: stack.mcpUrl, workerUrl: stack.workerUrl, wranglerPid: stack.worker.process.pid! } });
stopWithParent(async () => {
  await stack.stop();
  await rm(stateDir, { recursive: true, force: true });
});
