/**
 * Starts a Worker bundle in workerd without `wrangler dev`'s proxy and inspector
 * (`direct-workerd-host.ts`), in a process group of its own, and waits until it answers: the
 * production-like way to run the Worker for the benchmarks. The answer has the shape
 * `startWranglerDev` gives, so the local stack can run either way.
 */
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stopProcessGroup, type RunningWranglerDev } from './wrangler-dev.ts';

const here = dirname(fileURLToPath(import.meta.url));
const hostScript = join(here, 'direct-workerd-host.ts');
const workerConfig = join(here, '..', '..', 'worker', 'wrangler.jsonc');
const tsxLoader = import.meta.resolve('tsx');

export interface DirectWorkerdOptions {
  /** The Worker answers at `http://localhost:<port>`. */
  port: number;
  /** The bundle's main module (an ES module), e.g. `buildWorker()`'s output. */
  main: string;
  /** The wrangler config whose bindings the Worker gets; `worker/wrangler.jsonc` by default. */
  config?: string;
  /** The path that answers 200 once the Worker is ready; the OAuth discovery document by default. */
  readyPath?: string;
  /** The dotenv file with the Worker's secrets and settings. */
  envFile?: string;
  /** Where local KV and Durable Object state lives. */
  persistTo: string;
  /** 'log' also passes every `console.log` of the Worker (the audit records) to `onOutput`. Default 'warn'. */
  logLevel?: 'warn' | 'log';
  /** A DevTools inspector on this port (for CPU profiles); absent, none, as on Cloudflare. */
  inspectorPort?: number;
  /** Run the Durable Object classes in an isolate of their own, as Cloudflare does. */
  objectsApart?: boolean;
  /** Size each invocation's trace event with a tail Worker; its counts answer at `traceSizesUrl`. */
  traceSizes?: boolean;
  /**
   * Run the config's containers for real: the build id of the image tag (`cloudflare-dev/<class>:<id>`,
   * built beforehand), the engine's `unix://` socket and the network sidecar's image.
   */
  containers?: { buildId: string; dockerHost: string; egressImage: string };
  /** How long to wait for the Worker to answer (default 60 s). */
  readyTimeoutMs?: number;
  /** Receives the host's output, line by line. */
  onOutput?: (line: string) => void;
  /** A PEM file of CA certificates the Worker's outbound `fetch` trusts besides the public ones (Miniflare reads `NODE_EXTRA_CA_CERTS`). */
  extraCaCertificates?: string;
}

/**
 * Starts `direct-workerd-host.ts` and resolves once `readyPath` answers 200; on failure, stops
 * it and says what it printed last.
 *
 * @example
 * ```ts
 * const worker = await startDirectWorkerd({ port, main: bundle.path, envFile, persistTo });
 * try { await fetch(`${worker.url}/.well-known/oauth-authorization-server`); } finally { await worker.stop(); }
 * ```
 */
export async function startDirectWorkerd(options: DirectWorkerdOptions): Promise<RunningWranglerDev> {
  const args = [
    '--import',
    tsxLoader,
    hostScript,
    '--config',
    options.config ?? workerConfig,
    '--main',
    options.main,
    '--ip',
    'localhost',
    '--port',
    String(options.port),
    '--persist-to',
    options.persistTo,
    '--log-level',
    options.logLevel ?? 'warn',
    ...(options.envFile ? ['--env-file', options.envFile] : []),
    ...(options.inspectorPort === undefined ? [] : ['--inspector-port', String(options.inspectorPort)]),
    ...(options.objectsApart ? ['--objects-apart'] : []),
    ...(options.traceSizes ? ['--trace-sizes'] : []),
    ...(options.containers
      ? [
          '--container-build-id',
          options.containers.buildId,
          '--docker-host',
          options.containers.dockerHost,
          '--egress-image',
          options.containers.egressImage,
        ]
      : []),
  ];
  const child = spawn(process.execPath, args, {
    detached: true,
    stdio: ['pipe', 'pipe', 'pipe'],
    // No internet here: Miniflare must not look up request.cf.
    env: {
      ...process.env,
      CLOUDFLARE_CF_FETCH_ENABLED: 'false',
      FORCE_COLOR: '0',
      ...(options.extraCaCertificates ? { NODE_EXTRA_CA_CERTS: options.extraCaCertificates } : {}),
    },
  });
  const tail: string[] = [];
  let traceSizesUrl: string | undefined;
  const collect = (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) {
      if (line.trim() === '') continue;
      tail.push(line);
      if (tail.length > 40) tail.shift();
      if (line.startsWith('{"ready":'))
        traceSizesUrl = (JSON.parse(line) as { ready: { traceSizesUrl?: string } }).ready.traceSizesUrl;
      else options.onOutput?.(line);
    }
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const stop = () => stopProcessGroup(child);
  const url = `http://localhost:${options.port}`;
  const probe = `${url}${options.readyPath ?? '/.well-known/oauth-authorization-server'}`;
  try {
    const timeoutMs = options.readyTimeoutMs ?? 60_000;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null)
        throw new Error(`workerd exited (${child.exitCode ?? child.signalCode}) before the Worker was ready`);
      const ok = await fetch(probe, { signal: AbortSignal.timeout(2_000) }).then(
        (response) => response.ok,
        () => false,
      );
      if (ok && (!options.traceSizes || traceSizesUrl)) break;
      if (Date.now() > deadline) throw new Error(`the Worker did not answer at ${probe} within ${timeoutMs / 1000} s`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } catch (error) {
    await stop();
    throw new Error(`${(error as Error).message}\nLast output:\n${tail.slice(-15).join('\n')}`, { cause: error });
  }
  return { url, inspectorPort: options.inspectorPort, process: child, main: options.main, traceSizesUrl, stop };
}
