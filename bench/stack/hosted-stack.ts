import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stopProcessGroup } from '../../dev/stack/wrangler-dev.ts';
import { isInspectorNotice, parseHostLine, type HostReady } from './host-protocol.ts';

const here = dirname(fileURLToPath(import.meta.url));
const tsxLoader = import.meta.resolve('tsx');

/** A bridge, or a whole local stack, running in a process of its own. */
export interface Hosted extends HostReady {
  /** The host process: it runs the bridge (and for a stack, the Access stand-in); stdio servers are its children. */
  hostPid: number;
  /** Seconds from spawning the host to an answer (Node and tsx start-up included). */
  startSeconds: number;
  /** Receives every log line from now on (`source` is 'access', 'bridge' or 'worker'). */
  onLog(listener: (source: string, line: string) => void): void;
  stop(): Promise<void>;
}

/** What a hosted local stack opens beyond its URLs. */
export interface HostedStackOptions {
  /** Pass the Worker's `console.log` lines (audit records) to `onLog`. */
  workerLogs?: boolean;
  /** Open the Worker's DevTools inspector (wrangler's), at `inspectorPort`. */
  inspector?: boolean;
  /** Run the host process with Node's inspector on a free loopback port, at `hostInspectorPort`. */
  hostInspector?: boolean;
}

/** A hosted local stack: every URL is known; each inspector port only when asked for. */
type HostedStack<Options extends HostedStackOptions = HostedStackOptions> = Hosted &
  Required<Pick<HostReady, 'mcpUrl' | 'workerUrl' | 'wranglerPid'>> &
  (Options extends { inspector: true } ? { inspectorPort: number } : unknown) &
  (Options extends { hostInspector: true } ? { hostInspectorPort: number } : unknown);

/**
 * Starts `stack-host.ts` (the whole local stack) in a new process and resolves once the Worker
 * answers. With `workerLogs`, the Worker's `console.log` lines (audit records) reach `onLog`;
 * with `inspector`, the Worker's DevTools inspector listens at `inspectorPort`; with
 * `hostInspector`, the host process (bridge and Access stand-in) runs under Node's inspector,
 * which listens on a free loopback port the host reports as `hostInspectorPort`. Node's
 * inspector notices go to the host's stderr, never into the protocol on its stdout.
 *
 * @example
 * ```ts
 * const stack = await startHostedStack({ inspector: true, hostInspector: true });
 * try { console.log(stack.mcpUrl, stack.inspectorPort, stack.hostInspectorPort); } finally { await stack.stop(); }
 * ```
 */
export function startHostedStack<const Options extends HostedStackOptions = HostedStackOptions>(
  options?: Options,
): Promise<HostedStack<Options>> {
  const args = [...(options?.workerLogs ? ['--worker-logs'] : []), ...(options?.inspector ? ['--inspector'] : [])];
  // Port 0: Node picks a free port when it opens the inspector, and the host reports it, so no other process can take it in between.
  const nodeOptions = options?.hostInspector ? ['--inspect=127.0.0.1:0'] : [];
  return startHost(join(here, 'stack-host.ts'), args, 120_000, nodeOptions) as Promise<HostedStack<Options>>;
}

/**
 * Starts `bridge-host.ts` (our bridge alone) in a new process and resolves once it listens.
 *
 * @example
 * ```ts
 * const bridge = await startHostedBridge();
 * ```
 */
export function startHostedBridge(): Promise<Hosted> {
  return startHost(join(here, 'bridge-host.ts'), [], 30_000);
}

async function startHost(
  script: string,
  args: string[],
  timeoutMs: number,
  nodeOptions: string[] = [],
): Promise<Hosted> {
  const spawned = performance.now();
  const child = spawn(process.execPath, [...nodeOptions, '--import', tsxLoader, script, ...args], {
    detached: true,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const listeners: Array<(source: string, line: string) => void> = [];
  const tail: string[] = [];
  const remember = (text: string) => {
    tail.push(text);
    if (tail.length > 30) tail.shift();
  };
  createInterface({ input: child.stderr }).on('line', (text) => {
    if (!isInspectorNotice(text)) remember(text);
  });
  try {
    const ready = await new Promise<HostReady>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs / 1000} s`)), timeoutMs);
      createInterface({ input: child.stdout }).on('line', (text) => {
        const message = parseHostLine(text);
        if (message && 'ready' in message) {
          clearTimeout(timer);
          resolve(message.ready);
        } else if (message) {
          for (const listener of listeners) listener(message.log.source, message.log.line);
        } else remember(text);
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`the host process exited (${code})`));
      });
    });
    return {
      ...ready,
      hostPid: child.pid!,
      startSeconds: (performance.now() - spawned) / 1000,
      onLog: (listener) => listeners.push(listener),
      stop: () => stopHost(child),
    };
  } catch (error) {
    await stopHost(child);
    throw new Error(`${(error as Error).message}\n${tail.join('\n')}`, { cause: error });
  }
}

/** Asks the host to stop (stdin closes), then ends its process group if it lingers. */
async function stopHost(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.stdin?.end();
  const timer = setTimeout(() => void stopProcessGroup(child), 15_000);
  await exited;
  clearTimeout(timer);
}
