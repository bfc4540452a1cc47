/**
 * The accounting passes of `npm run bench`'s production-like Worker rows, each on an instance of
 * its own started for it (inspector open, the bundle inside the operation-counting wrapper), never
 * on the instances that time the rows: our Worker's proxied call and native tool, and the template
 * shape's `add`. Beside the proxied pass, the CPU the bridge and its stdio server use per call and
 * while idle (from /proc): what the user's container would use.
 */
import { findFreePort } from '../../dev/stack/ports.ts';
import type { AccountedPath, ContainerProcessUse } from '../cost/cost-report.ts';
import { probeNativeTools } from '../paths/native-probe.ts';
import { templateLivePath } from '../paths/template-live.ts';
import { wholeStackPath } from '../paths/whole-stack.ts';
import { startHostedStack } from '../stack/hosted-stack.ts';
import { cpuPerCall } from './process-cpu.ts';
import { descendantPids, readCommandLine } from './process-memory.ts';
import { measureWorkerAccounting, ACCOUNTING, type WorkerAccounting } from './worker-accounting.ts';

/** Seconds the bridge and its stdio server are watched without calls, for their idle CPU. */
const IDLE_SECONDS = 3;

/**
 * Runs the three accounting passes; a path that cannot be measured throws (the caller records why).
 *
 * @example
 * ```ts
 * const { paths, container } = await measureProductionAccounting({ onProgress: console.error });
 * ```
 */
export async function measureProductionAccounting(options: {
  onProgress?: (line: string) => void;
}): Promise<{ paths: AccountedPath[]; container?: ContainerProcessUse }> {
  const progress = options.onProgress ?? (() => {});
  const paths: AccountedPath[] = [];
  let container: ContainerProcessUse | undefined;

  const stack = await startHostedStack({ workerd: true, inspector: true, countOperations: true });
  try {
    progress('accounting: whole stack (proxied echo)');
    const client = await (await wholeStackPath(stack)).openClient();
    try {
      for (let i = 0; i < ACCOUNTING.warmUpCalls; i += 1) await client.call();
      // The bridge runs in the stack's host process (with the idle Access stand-in); its stdio servers are its children.
      const bridgePids = [stack.hostPid];
      for (const pid of await descendantPids(stack.hostPid))
        if ((await readCommandLine(pid)).includes('server-everything')) bridgePids.push(pid);
      let accounting: WorkerAccounting | undefined;
      const [busy] = await cpuPerCall(
        bridgePids,
        () => 'container processes',
        async () => {
          accounting = await measureWorkerAccounting(client, { ...stack, processRoot: stack.hostPid }, { warmUp: 0 });
          return accounting.calls;
        },
      );
      const [idle] = await cpuPerCall(
        bridgePids,
        () => 'container processes',
        async () => {
          await new Promise((resolve) => setTimeout(resolve, IDLE_SECONDS * 1000));
          return 1;
        },
      );
      paths.push({
        id: 'local-stack-workerd',
        label: 'whole stack, proxied `echo`',
        accounting: accounting!,
        modelledDurableObjectRequests: {
          perCall: 1,
          why: "on Cloudflare the Worker forwards each call through the user's container's Durable Object (worker/src/mcp/container-upstream.ts); the measured stack forwards to the bridge as a process",
        },
      });
      container = {
        vcpuSecondsPerCall: busy!.msPerCall / 1000,
        idleVcpu: idle!.msPerCall / 1000 / IDLE_SECONDS,
        what: `the bridge's process (with the idle Access stand-in) and its stdio server (server-everything), /proc, over the ${ACCOUNTING.calls} calls of the accounting pass and ${IDLE_SECONDS} s without calls`,
      };
    } finally {
      await client.close();
    }

    const native = await probeNativeTools(stack);
    if (!('reason' in native)) {
      progress('accounting: native tool');
      const nativeClient = await native.openClient();
      try {
        paths.push({
          id: 'native-workerd',
          label: native.label.replace(' (wrangler dev, no bridge)', ''),
          accounting: await measureWorkerAccounting(nativeClient, { ...stack, processRoot: stack.hostPid }),
        });
      } finally {
        await nativeClient.close();
      }
    }
  } finally {
    await stack.stop();
  }

  progress('accounting: template shape');
  const inspectorPort = await findFreePort();
  const template = await templateLivePath({ runtime: 'workerd', inspectorPort, countOperations: true });
  try {
    const templateClient = await template.openClient();
    try {
      paths.push({
        id: 'template-workerd',
        label: 'template shape, `add`',
        accounting: await measureWorkerAccounting(templateClient, {
          workerUrl: template.workerUrl,
          inspectorPort,
          workerMain: template.workerMain,
          traceSizesUrl: template.traceSizesUrl,
          processRoot: template.wranglerPid,
        }),
        durableObjectActivePerCall: true,
      });
    } finally {
      await templateClient.close();
    }
  } finally {
    await template.stop();
  }
  return { paths, container };
}
