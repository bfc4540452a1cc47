/**
 * One stdio MCP server process: JSON-RPC messages in on stdin, out on stdout (newline-delimited),
 * stderr passed through to the bridge's stderr.
 *
 * Framing, validation and the safe default environment come from the SDK (`ReadBuffer`,
 * `serializeMessage`, `getDefaultEnvironment`). The process handling is ours rather than the SDK's
 * `StdioClientTransport` because the bridge needs three things that class hides: the exit code and
 * signal (for the logs), the whole process group killed (a server started through `npx` or a shell
 * must not leave its own children behind), and a stop that signals at once instead of first waiting
 * two seconds for the server to notice the end of its stdin.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { once } from 'node:events';
import type { Readable, Writable } from 'node:stream';
import { getDefaultEnvironment } from '@modelcontextprotocol/sdk/client/stdio.js';
import { ReadBuffer, serializeMessage } from '@modelcontextprotocol/sdk/shared/stdio.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

/** How a child process ended: its exit code, or the signal that ended it. */
export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Time a stopping server gets between SIGTERM and SIGKILL. */
const STOP_GRACE_MS = 2_000;

/** Signals a process group the bridge may not signal itself. */
export type GroupSignaller = (processGroup: number, signal: NodeJS.Signals) => void;

type StdioProcess = ChildProcessByStdio<Writable, Readable, null>;

/** A running stdio MCP server process. Create it with {@link StdioChild.spawn}. */
export class StdioChild {
  /**
   * How to signal the servers when they run under a uid of their own (`server-user.ts`): the kernel
   * refuses the bridge's own signals to another uid (EPERM). Unset, signals are sent directly.
   */
  static signalForeignGroup: GroupSignaller | undefined;

  /** Called for each JSON-RPC message the server writes to stdout. */
  onmessage?: (message: JSONRPCMessage) => void;
  /** Called when the server writes something that is not a JSON-RPC message, or the process reports an error. */
  onerror?: (error: Error) => void;
  /** Settles once the process has exited and its stdout has been read to the end. */
  readonly exited: Promise<ChildExit>;

  private readonly readBuffer = new ReadBuffer();
  private hasExited = false;

  private constructor(private readonly child: StdioProcess & { pid: number }) {
    this.exited = new Promise((resolve) => {
      child.once('close', (code, signal) => resolve({ code, signal }));
    });
    child.once('exit', () => this.afterExit());
    child.on('error', (error) => this.onerror?.(error));
    child.stdin.on('error', (error) => this.onerror?.(error));
    child.stdout.on('data', (chunk: Buffer) => this.readMessages(chunk));
  }

  /**
   * Starts `command` (program and arguments, no shell) in a process group of its own, with the SDK's
   * minimal inherited environment plus `env`. Rejects when the program cannot be started.
   */
  static async spawn(command: readonly string[], env: Record<string, string> = {}): Promise<StdioChild> {
    const [program, ...args] = command;
    if (program === undefined) throw new Error('empty MCP server command');
    const child = spawn(program, args, {
      env: { ...getDefaultEnvironment(), ...env },
      stdio: ['pipe', 'pipe', 'inherit'],
      // Own process group, so stop() can signal the server together with everything it started.
      detached: true,
    });
    await once(child, 'spawn'); // rejects with the spawn error (ENOENT, EACCES, ...)
    return new StdioChild(child as StdioProcess & { pid: number });
  }

  /** The operating system's process id. */
  get pid(): number {
    return this.child.pid;
  }

  /** Writes one message to the server's stdin; resolves once it is handed to the pipe. */
  send(message: JSONRPCMessage): Promise<void> {
    return new Promise((resolve, reject) => {
      this.child.stdin.write(serializeMessage(message), (error) => (error ? reject(error) : resolve()));
    });
  }

  /** Ends the server: closes stdin, SIGTERM to its process group, SIGKILL after {@link STOP_GRACE_MS}. */
  async stop(): Promise<ChildExit> {
    if (!this.hasExited) {
      this.child.stdin.end();
      this.signalGroup('SIGTERM');
      const kill = setTimeout(() => this.signalGroup('SIGKILL'), STOP_GRACE_MS);
      await this.exited;
      clearTimeout(kill);
    }
    return this.exited;
  }

  private afterExit(): void {
    this.hasExited = true;
    // Whatever the server left running in its group goes with it.
    this.signalGroup('SIGKILL');
    // A process that left the group could keep stdout open forever: stop waiting for it.
    setTimeout(() => {
      this.child.stdout.destroy();
      this.child.stdin.destroy();
    }, STOP_GRACE_MS).unref();
  }

  private signalGroup(signal: NodeJS.Signals): void {
    try {
      process.kill(-this.child.pid, signal);
    } catch (error) {
      // EPERM: the server runs under another uid; ESRCH: the group is already gone.
      if ((error as NodeJS.ErrnoException).code === 'EPERM') StdioChild.signalForeignGroup?.(this.child.pid, signal);
    }
  }

  private readMessages(chunk: Buffer): void {
    try {
      this.readBuffer.append(chunk);
    } catch (error) {
      // A line longer than the buffer bound: the stream can no longer be framed.
      this.onerror?.(error as Error);
      void this.stop();
      return;
    }
    for (;;) {
      let message: JSONRPCMessage | null;
      try {
        message = this.readBuffer.readMessage();
      } catch {
        // The buffer has already moved past the bad line; report it without its content.
        this.onerror?.(new Error('the MCP server wrote a line that is not a JSON-RPC message'));
        continue;
      }
      if (message === null) return;
      this.onmessage?.(message);
    }
  }
}
