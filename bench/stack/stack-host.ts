/**
 * Runs a private local stack in a process of its own, so a benchmark's clients never share an
 * event loop (or a resident set) with the bridge they measure. Started by `hosted-stack.ts`;
 * speaks `host-protocol.ts` on stdout (every log line of the stack, then `ready`).
 * The stack is `startPrivateStack()`'s: free ports, its own state folder, removed at the end.
 * `--worker-logs` passes the Worker's `console.log` lines (the audit records) through;
 * `--inspector` opens the Worker's DevTools inspector (reported as `inspectorPort`); `--workerd` runs
 * the Worker in workerd without `wrangler dev` (`dev/stack/direct-workerd.ts`), and with it
 * `--count-operations` runs the bundle inside the operation-counting wrapper
 * (`bench/measure/operation-counts.ts`). When this
 * process itself runs with Node's inspector (`--inspect=127.0.0.1:0`), its port is reported as
 * `hostInspectorPort`: the bridge's and the Access stand-in's heap can be read through it.
 */
import { url as ownInspectorUrl } from 'node:inspector';
import { startPrivateStack } from '../../dev/stack/private-stack.ts';
import { writeCountingWrapper } from '../measure/operation-counts.ts';
import { BENCH_BRIDGE_LIMITS, sendHostMessage, stopWithParent } from './host-protocol.ts';

const workerLogs = process.argv.includes('--worker-logs');
const stack = await startPrivateStack({
  inspector: process.argv.includes('--inspector'),
  workerRuntime: process.argv.includes('--workerd') ? 'workerd' : 'wrangler-dev',
  wrapWorkerBundle: process.argv.includes('--count-operations') ? writeCountingWrapper : undefined,
  bridgeLimits: BENCH_BRIDGE_LIMITS,
  workerLogLevel: workerLogs ? 'log' : 'warn',
  log: (source, line) => sendHostMessage({ log: { source, line } }),
});
sendHostMessage({
  ready: {
    bridgeUrl: stack.bridge.url,
    mcpUrl: stack.mcpUrl,
    workerUrl: stack.workerUrl,
    wranglerPid: stack.worker.process.pid!,
    inspectorPort: stack.worker.inspectorPort,
    hostInspectorPort: inspectorPort(ownInspectorUrl()),
    workerMain: stack.worker.main,
    traceSizesUrl: stack.worker.traceSizesUrl,
  },
});
stopWithParent(() => stack.cleanup());

function inspectorPort(socketUrl: string | undefined): number | undefined {
  return socketUrl === undefined ? undefined : Number(new URL(socketUrl).port);
}
