/**
 * Keeps one bridge-initialized stdio server alive for one user: starts it on first use, starts it
 * again after it exits (waiting longer after each failure in a row), and stops it once it has been
 * idle for a while. Calls in flight when it exits get a JSON-RPC error from {@link InitializedChild}.
 */
import { ErrorCode, type JSONRPCNotification } from '@modelcontextprotocol/sdk/types.js';
import { InitializedChild, JsonRpcError, type InitializedChildOptions } from './initialized-child.ts';
import type { ChildSlots } from './child-slots.ts';

/** Restart and reaping rules of a {@link ChildSupervisor}. */
export interface SupervisorTiming {
  /** Wait before the first restart after a failure; doubles per failure in a row. */
  restartBackoffMs: number;
  /** Longest wait between restarts. */
  maxRestartBackoffMs: number;
  /** A child that ran this long before exiting resets the failure count. */
  healthyAfterMs: number;
  /** Stop a child that has had no call for this long. */
  idleMs: number;
}

/**
 * The restart delay after `failures` failures in a row: 0 for the first start, then
 * `restartBackoffMs * 2^(failures-1)`, at most `maxRestartBackoffMs`.
 *
 * @example
 * ```ts
 * restartDelay(3, { restartBackoffMs: 100, maxRestartBackoffMs: 5_000 }); // 400
 * ```
 */
export function restartDelay(
  failures: number,
  timing: Pick<SupervisorTiming, 'restartBackoffMs' | 'maxRestartBackoffMs'>,
): number {
  if (failures <= 0) return 0;
  return Math.min(timing.restartBackoffMs * 2 ** (failures - 1), timing.maxRestartBackoffMs);
}

/** One user's supervised stdio server. */
export class ChildSupervisor {
  /** Receive the server notifications that belong to no call (list changes, resource updates), from every child. */
  readonly notificationListeners = new Set<(notification: JSONRPCNotification) => void>();

  readonly #options: InitializedChildOptions;
  readonly #timing: SupervisorTiming;
  readonly #slots: ChildSlots;
  readonly #label: object;
  #current: Promise<InitializedChild> | undefined;
  #running: InitializedChild | undefined;
  /** Children stopped on purpose (idle, shutdown): their exit is not a failure. */
  readonly #stopped = new WeakSet<InitializedChild>();
  #failures = 0;
  #lastFailureAt = 0;
  #idleTimer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(options: InitializedChildOptions, timing: SupervisorTiming, slots: ChildSlots, label: object) {
    this.#options = options;
    this.#timing = timing;
    this.#slots = slots;
    this.#label = label;
  }

  /** The running child, started (after the backoff delay, if it failed before) when there is none. */
  child(): Promise<InitializedChild> {
    if (this.#closed)
      return Promise.reject(new JsonRpcError(ErrorCode.ConnectionClosed, 'The bridge is shutting down'));
    this.#current ??= this.#start();
    return this.#current;
  }

  /** The process id of the running child, if any. */
  get pid(): number | undefined {
    return this.#running?.pid;
  }

  /** Marks activity: the idle clock starts again from now. */
  touch(): void {
    clearTimeout(this.#idleTimer);
    this.#idleTimer = setTimeout(() => void this.#reapIfIdle(), this.#timing.idleMs);
    this.#idleTimer.unref();
  }

  /** Stops the child for good. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#idleTimer);
    const current = await this.#current?.catch(() => undefined);
    if (current) this.#stopped.add(current);
    await current?.stop();
  }

  async #start(): Promise<InitializedChild> {
    const delay = restartDelay(this.#failures, this.#timing) - (Date.now() - this.#lastFailureAt);
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
    const release = this.#slots.take();
    let child: InitializedChild;
    try {
      child = await InitializedChild.start(this.#options);
    } catch (error) {
      release();
      this.#recordFailure();
      this.#current = undefined;
      this.#options.log('child.start_failed', {
        ...this.#label,
        error: (error as Error).message,
        failures: this.#failures,
      });
      throw error instanceof JsonRpcError
        ? error
        : new JsonRpcError(ErrorCode.ConnectionClosed, 'The MCP server process could not be started');
    }
    const startedAt = Date.now();
    this.#running = child;
    this.#options.log('child.spawned', { ...this.#label, pid: child.pid, shared: true });
    void child.exited.then(() => {
      release();
      if (!this.#stopped.has(child)) {
        if (Date.now() - startedAt >= this.#timing.healthyAfterMs) this.#failures = 0;
        this.#recordFailure();
      }
      if (this.#running === child) {
        this.#running = undefined;
        this.#current = undefined;
      }
    });
    child.onnotification = (notification) => {
      for (const listener of this.notificationListeners) listener(notification);
    };
    this.touch();
    return child;
  }

  #recordFailure(): void {
    this.#failures += 1;
    this.#lastFailureAt = Date.now();
  }

  async #reapIfIdle(): Promise<void> {
    const current = this.#current;
    const child = await current?.catch(() => undefined);
    if (!child || this.#current !== current) return;
    if (child.inFlight > 0) return this.touch();
    this.#stopped.add(child);
    this.#current = undefined;
    this.#running = undefined;
    this.#options.log('child.reaped', { ...this.#label, pid: child.pid, idleMs: this.#timing.idleMs });
    await child.stop();
  }
}
