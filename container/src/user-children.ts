/**
 * One stdio server per user, for the clients that do not hold a session of their own: the
 * stateless 2026-07-28 revision (through that user's `ModernEndpoint`) and, with
 * `shareChildPerUser`, every session of that user. Created on a user's first request and
 * supervised (restart with backoff) until the bridge closes.
 */
import type { BridgeLimits } from './bridge-limits.ts';
import type { BridgeIdentity } from './bridge.ts';
import type { ChildSlots } from './child-slots.ts';
import { ChildSupervisor } from './child-supervisor.ts';
import { ModernEndpoint } from './modern-endpoint.ts';

/** What the bridge tells a stdio server it initializes itself that its clients can do. */
const BRIDGE_CLIENT_CAPABILITIES = { sampling: {}, elicitation: { form: {}, url: {} } };

export interface UserChildrenOptions {
  command: string[];
  /** The stdio server's environment for this user (asked once, with the identity of their first request). */
  env: (identity: BridgeIdentity) => Record<string, string>;
  limits: BridgeLimits;
  slots: ChildSlots;
  log: (event: string, fields?: object) => void;
}

/** A user's supervised child and the 2026-07-28 endpoint in front of it. */
export interface UserChild {
  endpoint: ModernEndpoint;
  supervisor: ChildSupervisor;
}

/**
 * The per-user children of one bridge.
 *
 * @example
 * ```ts
 * const children = new UserChildren({ command, env: () => ({}), limits, slots, log });
 * const response = await children.of({ userKey: 'alice' }).endpoint.fetch(request);
 * await children.close();
 * ```
 */
export class UserChildren {
  readonly #options: UserChildrenOptions;
  readonly #byUser = new Map<string, UserChild>();

  constructor(options: UserChildrenOptions) {
    this.#options = options;
  }

  /** The user's child, created on first use. */
  of(identity: BridgeIdentity): UserChild {
    const { userKey } = identity;
    let entry = this.#byUser.get(userKey);
    if (!entry) {
      const { command, limits, slots, log } = this.#options;
      const label = { userKey };
      const labelled = (event: string, fields?: object) => log(event, { ...label, ...fields });
      const supervisor = new ChildSupervisor(
        {
          command,
          env: this.#options.env(identity),
          capabilities: BRIDGE_CLIENT_CAPABILITIES,
          initializeTimeoutMs: limits.requestTimeoutMs,
          maxResponseBytes: limits.maxResponseBytes,
          log: labelled,
        },
        limits,
        slots,
        label,
      );
      const endpoint = new ModernEndpoint(supervisor, { requestTimeoutMs: limits.requestTimeoutMs, log: labelled });
      entry = { supervisor, endpoint };
      this.#byUser.set(userKey, entry);
    }
    return entry;
  }

  /** Process id of each user's child (`undefined` while none runs), by user key. */
  pids(): Record<string, number | undefined> {
    return Object.fromEntries([...this.#byUser].map(([userKey, { supervisor }]) => [userKey, supervisor.pid]));
  }

  /** Ends every endpoint's held calls, then stops every child. */
  async close(): Promise<void> {
    await Promise.all(
      [...this.#byUser.values()].map(async ({ endpoint, supervisor }) => {
        await endpoint.close();
        await supervisor.close();
      }),
    );
  }
}
