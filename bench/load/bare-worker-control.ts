/**
 * The control the load test judges workerd's memory against: a Worker that only answers "ok", run
 * under `wrangler dev` exactly as the stack's Worker is, so that what workerd and wrangler gain
 * per request on their own is not blamed on the gateway.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findFreePort } from '../../dev/stack/ports.ts';
import { startWranglerDev } from '../../dev/stack/wrangler-dev.ts';
import { readProcessMemory } from '../measure/process-memory.ts';
import { connectIsolateInspector } from './isolate-heap.ts';
import { descendantsRunning } from './process-sampler.ts';
import { bareWorkerControl, type BareWorkerControl } from './workerd-resident.ts';

const bareWorkerConfig = join(dirname(fileURLToPath(import.meta.url)), 'bare-worker', 'wrangler.jsonc');

/**
 * Runs the bare "ok" Worker (`bare-worker/`) under `wrangler dev`, started as the load test
 * starts the local stack's Worker (`startWranglerDev`, log level 'log', DevTools inspector on
 * with a client connected), sends `warmUpRequests` and then `requests` more from `clients`
 * concurrent clients, and measures the summed resident memory of its workerd processes before
 * and after the counted requests.
 *
 * @example
 * ```ts
 * const control = await measureBareWorkerControl({ warmUpRequests: 500, requests: 4_000, clients: 16 });
 * console.log(`${control.kibPerRequest} KiB per request`);
 * ```
 */
export async function measureBareWorkerControl(options: {
  warmUpRequests: number;
  requests: number;
  clients: number;
}): Promise<BareWorkerControl> {
  const stateDir = await mkdtemp(join(tmpdir(), 'secure-mcp-bare-worker-'));
  const envFile = join(stateDir, '.dev.vars');
  await writeFile(envFile, '');
  const worker = await startWranglerDev({
    port: await findFreePort(),
    inspectorPort: await findFreePort(),
    config: bareWorkerConfig,
    readyPath: '/',
    envFile,
    persistTo: join(stateDir, 'wrangler-state'),
    configHome: join(stateDir, 'wrangler-config'),
    logLevel: 'log',
    onOutput: () => {},
  });
  // Connected as in the load run: a DevTools client on the inspector, for the same wrangler dev.
  const inspector = await connectIsolateInspector(worker.inspectorPort!).catch(async (error: unknown) => {
    await worker.stop();
    throw error;
  });
  try {
    const workerdKiB = async () => {
      let total = 0;
      for (const pid of await descendantsRunning(worker.process.pid!, 'workerd'))
        total += (await readProcessMemory(pid))?.rssKiB ?? 0;
      return total;
    };
    await sendRequests(worker.url, options.warmUpRequests, options.clients);
    const beforeKiB = await workerdKiB();
    await sendRequests(worker.url, options.requests, options.clients);
    return bareWorkerControl(options.requests, options.clients, beforeKiB, await workerdKiB());
  } finally {
    inspector.close();
    await worker.stop();
    await rm(stateDir, { recursive: true, force: true });
  }
}

async function sendRequests(url: string, count: number, clients: number): Promise<void> {
  let sent = 0;
  const client = async () => {
    while (sent < count) {
      sent += 1;
      const response = await fetch(url);
      const text = await response.text();
      if (text !== 'ok')
        throw new Error(`the bare Worker answered ${response.status} "${text.slice(0, 80)}" instead of "ok"`);
    }
  };
  await Promise.all(Array.from({ length: clients }, client));
}
