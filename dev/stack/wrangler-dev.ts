import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const workerConfig = join(here, '..', '..', 'worker', 'wrangler.jsonc');
const hostScript = join(here, 'wrangler-dev-host.ts');
const tsxLoader = import.meta.resolve('tsx');

export interface WranglerDevOptions {
  port: number;
  /**
   * Port of wrangler's DevTools inspector, through which the Worker's isolate can be inspected.
   * Absent: no inspector (it makes every `console.log` of the Worker cost more; see `wrangler-dev-host.ts`).
   */
  inspectorPort?: number;
  /** The Worker's wrangler config; `worker/wrangler.jsonc` by default. wrangler runs in its folder. */
  config?: string;
  /** The path that answers 200 once the Worker is ready; the OAuth discovery document by default. */
  readyPath?: string;
  /** The dotenv file with the Worker's secrets and settings (replaces `.dev.vars` lookup). */
  envFile: string;
  /** Where wrangler keeps local KV state. */
  persistTo: string;
  /** A folder wrangler may use as its config home (no files in the user's home). */
  configHome: string;
  /** Receives wrangler's output, line by line. */
  onOutput?: (line: string) => void;
  /** wrangler's `--log-level`; 'warn' by default. 'log' also shows the Worker's `console.log` lines (the audit records). */
  logLevel?: 'warn' | 'info' | 'log';
  /**
   * A PEM file of CA certificates the Worker's outbound `fetch` trusts besides the public ones (for
   * https servers on loopback in tests). Miniflare reads it from `NODE_EXTRA_CA_CERTS` when it loads,
   * so the file must hold every extra CA wanted (miniflare's `src/plugins/core`).
   */
  extraCaCertificates?: string;
  /**
   * Run the config's containers for real: the image tag's build id, and the environment that points
   * wrangler at the engine (`DOCKER_HOST`, `WRANGLER_DOCKER_BIN`, `MINIFLARE_CONTAINER_EGRESS_IMAGE`, …).
   */
  containers?: { buildId: string; env: Record<string, string> };
  /** How long to wait for the Worker to answer; 90 s by default (a first image build takes longer). */
  readyTimeoutMs?: number;
}

export interface RunningWranglerDev {
  url: string;
  /** The inspector's port; `undefined` when it is off. */
  inspectorPort: number | undefined;
  process: ChildProcess;
  /** Stops wrangler and the workerd processes it started. */
  stop(): Promise<void>;
}

/**
 * Starts `wrangler dev` for `worker/wrangler.jsonc` (or `options.config`) through
 * `wrangler-dev-host.ts` (wrangler's dev environment, DevTools inspector off unless
 * `inspectorPort` is given) in its own process group, so that stopping it also stops the
 * workerd processes it spawns, and waits until the Worker answers its discovery document
 * (or `options.readyPath`).
 *
 * @example
 * ```ts
 * const worker = await startWranglerDev({ port: 8788, inspectorPort: 9230, envFile, persistTo, configHome });
 * await worker.stop();
 * ```
 */
export async function startWranglerDev(options: WranglerDevOptions): Promise<RunningWranglerDev> {
  await mkdir(options.configHome, { recursive: true });
  const config = options.containers
    ? await withContainersEnabled(options.config ?? workerConfig)
    : (options.config ?? workerConfig);
  const args = [
    '--import',
    tsxLoader,
    hostScript,
    '--config',
    config,
    '--port',
    String(options.port),
    ...(options.inspectorPort === undefined ? [] : ['--inspector-port', String(options.inspectorPort)]),
    '--ip',
    'localhost',
    '--env-file',
    options.envFile,
    '--persist-to',
    options.persistTo,
    '--log-level',
    options.logLevel ?? 'warn',
    ...(options.containers ? ['--container-build-id', options.containers.buildId] : []),
  ];
  const child = spawn(process.execPath, args, {
    // wrangler runs the config's build command in its working directory.
    cwd: dirname(config),
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      // No internet here: no lookups for request.cf, no metrics, no files in $HOME.
      CLOUDFLARE_CF_FETCH_ENABLED: 'false',
      WRANGLER_SEND_METRICS: 'false',
      XDG_CONFIG_HOME: options.configHome,
      FORCE_COLOR: '0',
      ...(options.extraCaCertificates ? { NODE_EXTRA_CA_CERTS: options.extraCaCertificates } : {}),
      ...options.containers?.env,
    },
  });
  const output: string[] = [];
  const collect = (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) {
      if (line.trim() === '') continue;
      output.push(line);
      if (output.length > 40) output.shift();
      options.onOutput?.(line);
    }
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);

  const stop = () => stopProcessGroup(child);
  const url = `http://localhost:${options.port}`;
  try {
    await waitUntilReady(
      `${url}${options.readyPath ?? '/.well-known/oauth-authorization-server'}`,
      child,
      options.readyTimeoutMs ?? 90_000,
    );
  } catch (error) {
    await stop();
    const tail = output.slice(-15).join('\n');
    throw new Error(`${(error as Error).message}${tail ? `\nLast output of wrangler:\n${tail}` : ''}`, {
      cause: error,
    });
  }
  return { url, inspectorPort: options.inspectorPort, process: child, stop };
}

/**
 * A copy of `config` with `dev.enable_containers` true, beside it (so its relative paths hold) and
 * git-ignored. wrangler 4.164 reads the Docker engine's address only when the config file enables
 * containers (`useContainers` in `resolveDevConfig`, node_modules/wrangler/wrangler-dist/cli.js);
 * the start-up option alone runs the containers against the default /var/run/docker.sock.
 */
async function withContainersEnabled(config: string): Promise<string> {
  const text = await readFile(config, 'utf8');
  const enabled = text.replace(/"enable_containers"\s*:\s*false/, '"enable_containers": true');
  if (enabled === text) throw new Error(`${config} has no "enable_containers": false to turn on`);
  const copy = join(dirname(config), '.wrangler-containers.jsonc');
  await writeFile(
    copy,
    `// Written by dev/stack/wrangler-dev.ts for the real-container mode; do not edit.\n${enabled}`,
  );
  return copy;
}

async function waitUntilReady(probeUrl: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  // What the last probe met, for the error: nothing listening, or something that is not our Worker.
  let lastProbe = 'no probe finished';
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`wrangler dev exited (${child.exitCode ?? child.signalCode}) before the Worker was ready`);
    }
    try {
      const response = await fetch(probeUrl, { signal: AbortSignal.timeout(2_000) });
      if (response.ok) return;
      lastProbe = `answered ${response.status}`;
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause;
      lastProbe = cause?.code ?? (error as Error).name;
    }
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  throw new Error(`The Worker did not answer at ${probeUrl} within ${timeoutMs / 1000} s (last probe: ${lastProbe})`);
}

/** SIGTERM to the whole group, SIGKILL after a grace period; resolves once the leader has exited. */
export async function stopProcessGroup(child: ChildProcess, graceMs = 5_000): Promise<void> {
  if (child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  signalGroup(child.pid, 'SIGTERM');
  const timer = setTimeout(() => signalGroup(child.pid!, 'SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
  // workerd may outlive wrangler for a moment; make sure nothing of the group survives, and wait
  // until the kernel has ended what was killed (a loaded machine takes a moment).
  signalGroup(child.pid, 'SIGKILL');
  const deadline = Date.now() + 5_000;
  while (livingMembers(child.pid) > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
}

/** Processes of group `group` that still run (zombies, which run nothing, do not count). */
function livingMembers(group: number): number {
  let living = 0;
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const [state, , processGroup] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(processGroup) === group && state !== 'Z') living += 1;
    } catch {
      // gone meanwhile
    }
  }
  return living;
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // the group is already gone
  }
}
