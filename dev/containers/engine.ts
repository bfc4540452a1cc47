/**
 * The project's own Docker engine: a private `dockerd` (with its own `containerd`) and a loopback
 * `docker-registry`, with all their state under one folder, so the real-container mode and its
 * tests can run one real container per user on a machine where no engine runs.
 *
 * What keeps it private (docs: dev/README.md, "The Docker engine"):
 * - state, sockets and logs under `SECURE_MCP_DOCKER_DIR` (default `.docker/` in the checkout,
 *   git-ignored); `containerd` is started with its own config, never the machine's;
 * - one bridge of its own (`smcp0`, 198.18.0.1/24) and new networks from 198.18.64.0/18: addresses
 *   from 198.18.0.0/15, the benchmarking range, never the private ranges a machine already uses;
 * - no iptables rules, no IP forwarding, no NAT: containers have no route out, and published ports
 *   listen on 127.0.0.1 only (`--ip 127.0.0.1`, docker-proxy);
 * - idempotent: an engine that already answers on the folder's socket is reused (so is another
 *   folder's engine that owns the bridge and answers), and `stop` stops what the folder's
 *   `engine.json` names, after checking each process belongs to this folder.
 */
import { spawn } from 'node:child_process';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, openSync, readFileSync, closeSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { engineAnswers } from './docker-api.ts';
import { ENGINE_PACKAGES, installMissingPackages, missingPackages } from './debian-packages.ts';
import { findFreePort, isPortFree } from '../stack/ports.ts';

const run = promisify(execFile);
const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The engine's bridge: its name, address and the pool new networks come from. */
const ENGINE_BRIDGE = { name: 'smcp0', address: '198.18.0.1/24', gateway: '198.18.0.1', pool: '198.18.64.0/18' };

/** Where one engine keeps everything. */
export interface EngineLayout {
  /** The state folder (`SECURE_MCP_DOCKER_DIR`). */
  stateDir: string;
  /** Short folder for sockets and runtime state (a unix socket path is limited to 107 bytes). */
  runDir: string;
  socket: string;
  /** `unix://<socket>`: what `DOCKER_HOST` must be for this engine. */
  dockerHost: string;
  /** What this folder's engine runs, written at start: pids, registry address. */
  stateFile: string;
  logDir: string;
  /** Cached slow artefacts (the base image's root file system). */
  cacheDir: string;
}

/** What `engine.json` records. */
export interface EngineState {
  stateDir: string;
  containerdPid: number;
  dockerdPid: number;
  registryPid: number;
  /** `127.0.0.1:<port>` of the loopback registry. */
  registry: string;
  /** Whether this engine created the bridge (and so removes it on stop). */
  createdBridge: boolean;
  startedAt: string;
}

/** A running engine, as `startEngine` found or started it. */
export interface RunningEngine {
  layout: EngineLayout;
  dockerHost: string;
  /** `127.0.0.1:<port>` of the loopback registry. */
  registry: string;
  /** True when this call started it (then `stop` is the caller's to call); false when it was reused. */
  startedHere: boolean;
  /** Stops the engine if this call started it; does nothing for a reused engine. */
  stop(): Promise<void>;
}

/** The engine cannot run here; the message is one line a person can act on. */
export class EngineUnavailableError extends Error {
  override name = 'EngineUnavailableError';
}

/**
 * The layout for a state folder: `SECURE_MCP_DOCKER_DIR`, else `.docker/` in the checkout.
 *
 * @example
 * ```ts
 * engineLayout().dockerHost; // 'unix:///…/.docker/run/docker.sock'
 * ```
 */
export function engineLayout(stateDir = process.env.SECURE_MCP_DOCKER_DIR || join(repoRoot, '.docker')): EngineLayout {
  const longest = '/containerd/containerd.sock.ttrpc';
  const preferred = join(stateDir, 'run');
  // Unix socket paths are limited to 107 bytes; a deep checkout gets its sockets under /run.
  const runDir =
    preferred.length + longest.length < 100
      ? preferred
      : `/run/secure-mcp-docker-${createHash('sha256').update(stateDir).digest('hex').slice(0, 12)}`;
  const socket = join(runDir, 'docker.sock');
  return {
    stateDir,
    runDir,
    socket,
    dockerHost: `unix://${socket}`,
    stateFile: join(stateDir, 'engine.json'),
    logDir: join(stateDir, 'logs'),
    cacheDir: join(stateDir, 'cache'),
  };
}

/**
 * Why the engine cannot start here, or `undefined` when it can: Linux, root, cgroups, and the
 * programs of {@link ENGINE_PACKAGES} (missing packages are reported, not installed, here).
 *
 * @example
 * ```ts
 * const reason = await engineBlocker();
 * if (reason) console.log(`no engine: ${reason}`);
 * ```
 */
export async function engineBlocker(options: { installPackages?: boolean } = {}): Promise<string | undefined> {
  if (process.platform !== 'linux') return `the engine runs on Linux only (this is ${process.platform})`;
  if (process.getuid?.() !== 0) return 'the engine needs root (it starts dockerd and creates a network bridge)';
  if (!existsSync('/sys/fs/cgroup/memory') && !existsSync('/sys/fs/cgroup/cgroup.controllers'))
    return 'no cgroups are mounted at /sys/fs/cgroup (containers need them)';
  const missing = await missingPackages(Object.keys(ENGINE_PACKAGES));
  if (missing.length > 0 && !options.installPackages)
    return `Debian packages missing: ${missing.join(', ')} (\`npm run engine -- start\` installs them)`;
  return undefined;
}

/**
 * Starts the engine of `layout` unless one already answers on its socket, and the loopback
 * registry unless it answers. Installs missing Debian packages when `installPackages` is set.
 * Throws {@link EngineUnavailableError} with a one-line reason when it cannot.
 *
 * @example
 * ```ts
 * const engine = await startEngine();
 * process.env.DOCKER_HOST = engine.dockerHost;
 * await engine.stop(); // only stops it if this call started it
 * ```
 */
export async function startEngine(
  options: { layout?: EngineLayout; installPackages?: boolean; log?: (line: string) => void } = {},
): Promise<RunningEngine> {
  const layout = options.layout ?? engineLayout();
  const log = options.log ?? (() => {});
  withSystemProgramsOnPath();
  const blocker = await engineBlocker({ installPackages: options.installPackages });
  if (blocker) throw new EngineUnavailableError(blocker);
  if (options.installPackages) await installMissingPackages(Object.keys(ENGINE_PACKAGES), log);

  // The machine has one engine bridge: when another state folder's engine owns it and answers,
  // that engine is the project's engine here, and is reused rather than fought over.
  const owner = bridgeOwner();
  if (owner && owner !== layout.stateDir) {
    const other = engineLayout(owner);
    if (await engineAnswers(other.socket)) {
      const registry = await ensureRegistry(other, await readEngineState(other), log);
      log(`reusing the engine of ${owner} (${other.dockerHost})`);
      return { layout: other, dockerHost: other.dockerHost, registry, startedHere: false, stop: async () => {} };
    }
  }

  const previous = await readEngineState(layout);
  if (await engineAnswers(layout.socket)) {
    const registry = await ensureRegistry(layout, previous, log);
    log(`engine already running (${layout.dockerHost})`);
    return { layout, dockerHost: layout.dockerHost, registry, startedHere: false, stop: async () => {} };
  }

  await mkdir(layout.runDir, { recursive: true });
  await mkdir(layout.logDir, { recursive: true });
  await mkdir(layout.cacheDir, { recursive: true });
  // Whatever a crashed engine left (a containerd still running, stale sockets) goes first.
  if (previous) await stopRecorded(layout, previous, log);

  const createdBridge = await ensureBridge(layout);
  let containerdPid = 0;
  let dockerdPid = 0;
  try {
    containerdPid = await startContainerd(layout);
    dockerdPid = await startDockerd(layout);
    log(`engine started (${layout.dockerHost})`);
  } catch (error) {
    await stopRecorded(
      layout,
      {
        stateDir: layout.stateDir,
        containerdPid,
        dockerdPid,
        registryPid: 0,
        registry: '',
        createdBridge,
        startedAt: '',
      },
      log,
    );
    throw error;
  }
  const state: EngineState = {
    stateDir: layout.stateDir,
    containerdPid,
    dockerdPid,
    registryPid: 0,
    registry: previous?.registry ?? '',
    createdBridge,
    startedAt: new Date().toISOString(),
  };
  await writeEngineState(layout, state);
  const registry = await ensureRegistry(layout, state, log);
  return { layout, dockerHost: layout.dockerHost, registry, startedHere: true, stop: () => stopEngine(layout, log) };
}

/**
 * Stops what `engine.json` of `layout` names (registry, dockerd, containerd), each only after
 * checking that the process with that pid belongs to this state folder, and removes the bridge if
 * this engine created it.
 *
 * @example
 * ```ts
 * await stopEngine(engineLayout(), console.log);
 * ```
 */
export async function stopEngine(layout = engineLayout(), log: (line: string) => void = () => {}): Promise<void> {
  const state = await readEngineState(layout);
  if (!state || state.dockerdPid + state.containerdPid + state.registryPid === 0) {
    log(`no engine of ${layout.stateDir} is running`);
    return;
  }
  await stopRecorded(layout, state, log);
  log('engine stopped');
}

/** The recorded state of `layout`'s engine, or `undefined`. */
export async function readEngineState(layout: EngineLayout): Promise<EngineState | undefined> {
  try {
    return JSON.parse(await readFile(layout.stateFile, 'utf8')) as EngineState;
  } catch {
    return undefined;
  }
}

async function writeEngineState(layout: EngineLayout, state: EngineState): Promise<void> {
  await writeFile(layout.stateFile, `${JSON.stringify(state, null, 2)}\n`);
}

async function stopRecorded(layout: EngineLayout, state: EngineState, log: (line: string) => void): Promise<void> {
  // dockerd first: it stops its containers; containerd after it; the registry is independent.
  for (const [name, pid] of [
    ['registry', state.registryPid],
    ['dockerd', state.dockerdPid],
    ['containerd', state.containerdPid],
  ] as const) {
    if (pid > 0 && belongsTo(pid, layout)) {
      log(`stopping ${name} (pid ${pid})`);
      await terminate(pid, name === 'dockerd' ? 30_000 : 10_000);
    }
  }
  if (state.createdBridge) await removeBridge(layout);
  // The registry's address is kept, so the next start reuses its port and the base image's reference.
  await writeEngineState(layout, { ...state, containerdPid: 0, dockerdPid: 0, registryPid: 0, createdBridge: false });
  await rm(layout.socket, { force: true });
}

/** Whether `pid` runs a program started for this state folder (its command line names the folder). */
function belongsTo(pid: number, layout: EngineLayout): boolean {
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return cmdline.includes(layout.stateDir) || cmdline.includes(layout.runDir);
  } catch {
    return false;
  }
}

async function terminate(pid: number, graceMs: number): Promise<void> {
  const gone = () =>
    !existsSync(`/proc/${pid}`) || readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.startsWith('Z');
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  const deadline = Date.now() + graceMs;
  while (!gone() && Date.now() < deadline) await delay(100);
  if (!gone()) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/**
 * What an engine does with an existing bridge: reuse its own, refuse one whose engine still runs,
 * and take over one left by an engine killed without `stop` (its processes gone with a session or
 * a machine's restart): nothing uses that bridge any more.
 *
 * @example
 * ```ts
 * bridgeClaim('/old/.docker', '/work/.docker', false); // 'take-over'
 * ```
 */
export function bridgeClaim(owner: string, stateDir: string, ownerRuns: boolean): 'reuse' | 'refuse' | 'take-over' {
  if (owner === stateDir) return 'reuse';
  return ownerRuns ? 'refuse' : 'take-over';
}

/** Whether any process `engine.json` of `layout` names still runs for that folder. */
async function engineRuns(layout: EngineLayout): Promise<boolean> {
  const state = await readEngineState(layout);
  if (!state) return false;
  return [state.containerdPid, state.dockerdPid, state.registryPid].some((pid) => pid > 0 && belongsTo(pid, layout));
}

/** The state folder of the engine that owns the bridge (its interface alias), if the bridge exists. */
function bridgeOwner(): string | undefined {
  try {
    return readFileSync(`/sys/class/net/${ENGINE_BRIDGE.name}/ifalias`, 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

/** Creates the engine's bridge, or reuses it when this folder created it. Returns whether it created it. */
async function ensureBridge(layout: EngineLayout): Promise<boolean> {
  const sysfs = `/sys/class/net/${ENGINE_BRIDGE.name}`;
  if (existsSync(sysfs)) {
    const owner = readFileSync(`${sysfs}/ifalias`, 'utf8').trim();
    const claim = bridgeClaim(
      owner,
      layout.stateDir,
      owner !== layout.stateDir && (await engineRuns(engineLayout(owner))),
    );
    if (claim === 'reuse') return false;
    if (claim === 'refuse')
      throw new EngineUnavailableError(
        `the network bridge ${ENGINE_BRIDGE.name} belongs to another secure-mcp engine (${owner || 'unknown'}); use it with SECURE_MCP_DOCKER_DIR=${owner || '<its folder>'}`,
      );
    await run('ip', ['link', 'delete', ENGINE_BRIDGE.name]).catch(() => {});
  }
  try {
    await run('ip', ['link', 'add', ENGINE_BRIDGE.name, 'type', 'bridge']);
    await run('ip', ['addr', 'add', ENGINE_BRIDGE.address, 'dev', ENGINE_BRIDGE.name]);
    await run('ip', ['link', 'set', ENGINE_BRIDGE.name, 'alias', layout.stateDir]);
    await run('ip', ['link', 'set', ENGINE_BRIDGE.name, 'up']);
  } catch (error) {
    await removeBridge(layout);
    throw new EngineUnavailableError(
      `cannot create the network bridge ${ENGINE_BRIDGE.name}: ${((error as { stderr?: string }).stderr ?? (error as Error).message).trim()}`,
    );
  }
  return true;
}

async function removeBridge(layout: EngineLayout): Promise<void> {
  const sysfs = `/sys/class/net/${ENGINE_BRIDGE.name}`;
  if (!existsSync(sysfs) || readFileSync(`${sysfs}/ifalias`, 'utf8').trim() !== layout.stateDir) return;
  await run('ip', ['link', 'delete', ENGINE_BRIDGE.name]).catch(() => {});
}

/**
 * Debian installs `dockerd`, `runc`, `docker-proxy`, `debootstrap` and `chroot` in `/usr/sbin`,
 * which a CI job's or a user's PATH may lack (`env -i PATH=/usr/local/bin:/usr/bin:/bin` did, and
 * dockerd could not be found). The system folders go at the end of this process's PATH, so the
 * engine, the programs it runs and the base image's build find them; nothing earlier is shadowed.
 */
function withSystemProgramsOnPath(): void {
  const entries = (process.env.PATH ?? '').split(':').filter(Boolean);
  const missing = ['/usr/local/sbin', '/usr/sbin', '/sbin'].filter((dir) => !entries.includes(dir));
  if (missing.length > 0) process.env.PATH = [...entries, ...missing].join(':');
}

/** Starts a detached daemon with its output in `<logDir>/<name>.log`; resolves with its pid. */
function startDaemon(layout: EngineLayout, name: string, program: string, args: string[]): number {
  const logFd = openSync(join(layout.logDir, `${name}.log`), 'a');
  const child = spawn(program, args, { detached: true, stdio: ['ignore', logFd, logFd] });
  closeSync(logFd);
  // A program that cannot be started is reported by the pid check below, in one line.
  child.once('error', () => {});
  child.unref();
  if (child.pid === undefined)
    throw new EngineUnavailableError(`cannot start ${program}: not found on PATH (${process.env.PATH})`);
  return child.pid;
}

async function startContainerd(layout: EngineLayout): Promise<number> {
  const config = join(layout.stateDir, 'containerd.toml');
  const socket = join(layout.runDir, 'containerd', 'containerd.sock');
  // Its own root, state and sockets: never the machine's /run/containerd or /var/lib/containerd.
  await writeFile(
    config,
    [
      'version = 2',
      `root = ${JSON.stringify(join(layout.stateDir, 'containerd'))}`,
      `state = ${JSON.stringify(join(layout.runDir, 'containerd'))}`,
      'disabled_plugins = ["io.containerd.grpc.v1.cri"]',
      '[grpc]',
      `  address = ${JSON.stringify(socket)}`,
      '[ttrpc]',
      `  address = ${JSON.stringify(`${socket}.ttrpc`)}`,
      '[debug]',
      '  address = ""',
      '[metrics]',
      '  address = ""',
      '',
    ].join('\n'),
  );
  const pid = startDaemon(layout, 'containerd', 'containerd', ['--config', config]);
  await waitFor(
    () => existsSync(socket),
    20_000,
    () => failure(layout, 'containerd', pid),
  );
  return pid;
}

async function startDockerd(layout: EngineLayout): Promise<number> {
  const config = join(layout.stateDir, 'daemon.json');
  // An empty config file of its own: the machine's /etc/docker/daemon.json is not read.
  await writeFile(config, '{}\n');
  const pid = startDaemon(layout, 'dockerd', 'dockerd', [
    '--config-file',
    config,
    '--containerd',
    join(layout.runDir, 'containerd', 'containerd.sock'),
    '--data-root',
    join(layout.stateDir, 'data'),
    '--exec-root',
    join(layout.runDir, 'docker'),
    '--pidfile',
    join(layout.runDir, 'dockerd.pid'),
    '-H',
    layout.dockerHost,
    '--bridge',
    ENGINE_BRIDGE.name,
    '--default-address-pool',
    `base=${ENGINE_BRIDGE.pool},size=24`,
    '--iptables=false',
    '--ip-forward=false',
    '--ip-masq=false',
    '--ip',
    '127.0.0.1',
  ]);
  const deadline = Date.now() + 60_000;
  while (!(await engineAnswers(layout.socket))) {
    if (!existsSync(`/proc/${pid}`) || Date.now() > deadline) throw failure(layout, 'dockerd', pid);
    await delay(200);
  }
  return pid;
}

/** Starts the loopback registry unless it answers; records its pid and address; returns the address. */
async function ensureRegistry(
  layout: EngineLayout,
  state: EngineState | undefined,
  log: (line: string) => void,
): Promise<string> {
  if (state?.registry && (await registryAnswers(state.registry))) return state.registry;
  const address =
    state?.registry && (await registryPortIsFree(state.registry))
      ? state.registry
      : `127.0.0.1:${await findFreePort()}`;
  const config = join(layout.stateDir, 'registry.yml');
  await writeFile(
    config,
    [
      'version: 0.1',
      'log:',
      '  level: warn',
      'storage:',
      '  filesystem:',
      `    rootdirectory: ${JSON.stringify(join(layout.stateDir, 'registry'))}`,
      '  delete:',
      '    enabled: true',
      'http:',
      `  addr: ${address}`,
      '',
    ].join('\n'),
  );
  await mkdir(layout.logDir, { recursive: true });
  const pid = startDaemon(layout, 'registry', 'docker-registry', ['serve', config]);
  await waitFor(
    () => registryAnswers(address),
    20_000,
    () => failure(layout, 'registry', pid),
  );
  const recorded = (await readEngineState(layout)) ?? state;
  if (recorded) await writeEngineState(layout, { ...recorded, registryPid: pid, registry: address });
  log(`registry listening on ${address}`);
  return address;
}

async function registryAnswers(address: string): Promise<boolean> {
  try {
    const response = await fetch(`http://${address}/v2/`, { signal: AbortSignal.timeout(2_000) });
    return response.status === 200;
  } catch {
    return false;
  }
}

/** Whether the registry's recorded `host:port` can be listened on again (so its images' references hold). */
function registryPortIsFree(address: string): Promise<boolean> {
  const [host = '127.0.0.1', port] = address.split(':');
  return isPortFree(Number(port), host);
}

function failure(layout: EngineLayout, name: string, pid: number): EngineUnavailableError {
  let tail = '';
  try {
    tail = readFileSync(join(layout.logDir, `${name}.log`), 'utf8')
      .trim()
      .split('\n')
      .slice(-3)
      .join(' | ');
  } catch {
    // no log yet
  }
  const state = existsSync(`/proc/${pid}`) ? 'did not become ready' : 'exited';
  return new EngineUnavailableError(`${name} ${state} (log: ${join(layout.logDir, `${name}.log`)}): ${tail}`);
}

async function waitFor(
  ready: () => boolean | Promise<boolean>,
  timeoutMs: number,
  onTimeout: () => Error,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ready())) {
    if (Date.now() > deadline) throw onTimeout();
    await delay(100);
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
