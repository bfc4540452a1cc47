import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stopProcessGroup } from '../../dev/stack/wrangler-dev.ts';
import { parseHostLine, type HostReady } from './host-protocol.ts';

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

/** A hosted local stack: every URL is known; `inspectorPort` only when asked for. */
type HostedStack = Hosted & Required<Omit<HostReady, 'inspectorPort'>> & Pick<HostReady, 'inspectorPort'>;

/**
 * Starts `stack-host.ts` (the whole local stack) in a new process and resolves once the Worker
 * answers. With `workerLogs`, the Worker's `console.log` lines (audit records) reach `onLog`;
 * with `inspector`, the Worker's DevTools inspector listens at `inspectorPort`.
 *
 * @example
 * ```ts
 * const stack = await startHostedStack();
 * try { console.log(stack.mcpUrl, stack.startSeconds); } finally { await stack.stop(); }
 * ```
 */
export function startHostedStack(options: { workerLogs?: boolean; inspector: true }): Promise<Hosted & Required<HostReady>>;
export function startHostedStack(options?: { workerLogs?: boolean; inspector?: false }): Promise<HostedStack>;
export function startHostedStack(options: { workerLogs?: boolean; inspector?: boolean } = {}): Promise<HostedStack> {
  const args = [...(options.workerLogs ? ['--worker-logs'] : []), ...(options.inspector ? ['--inspector'] : [])];
  return startHost(join(here, 'stack-host.ts'), args, 120_000) as Promise<HostedStack>;
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

async function startHost(script: string, args: string[], timeoutMs: number): Promise<Hosted> {
  const spawned = performance.now();
  const child = spawn(process.execPath, ['--import', tsxLoader, script, ...args], { detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
  const listeners: Array<(source: string, line: string) => void> = [];
  const tail: string[] = [];
  const remember = (text: string) => {
    tail.push(text);
    if (tail.length > 30) tail.shift();
  };
  createInterface({ input: child.stderr! }).on('line', remember);
  try {
    const ready = await new Promise<HostReady>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs / 1000} s`)), timeoutMs);
      createInterface({ input: child.stdout! }).on('line', (text) => {
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
    throw new Error(`${(error as Error).message}\n${tail.join('\n')}`);
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
