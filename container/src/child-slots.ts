/**
 * The cap on stdio server processes in one bridge: every child, per session or shared, takes a slot
 * before it is spawned and gives it back when it exits.
 */
import { JsonRpcError } from './initialized-child.ts';

/** JSON-RPC code the bridge uses when it is at its cap (the SDK's generic server error range). */
const TOO_MANY_CHILDREN = -32003;

/** A counter of running children with a hard cap. */
export class ChildSlots {
  #used = 0;

  constructor(readonly max: number) {}

  /** Processes counted right now. */
  get used(): number {
    return this.#used;
  }

  /**
   * Takes a slot, or throws a {@link JsonRpcError} when all are taken. The returned function gives it
   * back; calling it more than once is harmless.
   *
   * @example
   * ```ts
   * const release = slots.take();
   * child.exited.then(release);
   * ```
   */
  take(): () => void {
    if (this.#used >= this.max) {
      throw new JsonRpcError(
        TOO_MANY_CHILDREN,
        `The bridge already runs ${this.max} MCP server processes; try again later`,
      );
    }
    this.#used += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#used -= 1;
    };
  }
}
