/**
 * The bridge's open sessions, 2025 Streamable HTTP and old HTTP+SSE alike: opens each one with
 * its own stdio child (or on the user's shared child with `shareChildPerUser`), finds it again
 * only for the user that opened it, ends the idle ones, and ends them all when the bridge closes.
 * One place that owns the sessions, so a bound on them has one place to live.
 */
import type { SSEServerTransport } from '@modelcontextprotocol/sdk/server/sse.js';
import type { BridgeLimits } from './bridge-limits.ts';
import type { BridgeIdentity } from './bridge.ts';
import type { ChildSlots } from './child-slots.ts';
import { McpSession, type SessionEndReason } from './mcp-session.ts';
import type { SessionHttpTransport } from './session-http-transport.ts';
import { SharedChildSession } from './shared-child-session.ts';
import type { UserChildren } from './user-children.ts';

/** What a running session looks like from outside, for tests and operators. */
export interface BridgeSessionInfo {
  id: string;
  userKey: string;
  /** `streamable` (2025 sessions) or `sse` (the old HTTP+SSE transport). */
  transport: SessionKind;
  /** Process id of the session's stdio server, once started. */
  pid: number | undefined;
}

export type SessionKind = 'streamable' | 'sse';

/** The client side of a session: the transport it came in on. */
type SessionClient =
  | { kind: 'streamable'; transport: SessionHttpTransport }
  | { kind: 'sse'; transport: SSEServerTransport };

/** A session with the client transport it was opened on. */
type OpenSession = SessionClient & { session: McpSession | SharedChildSession };

export interface SessionRegistryOptions {
  command: string[];
  /** The stdio server's environment for a user's own child. */
  env: (identity: BridgeIdentity) => Record<string, string>;
  limits: BridgeLimits;
  slots: ChildSlots;
  log: (event: string, fields?: object) => void;
  /** Set: sessions run on the user's shared child from here instead of a child of their own. */
  sharedChildren?: UserChildren;
}

/**
 * The open sessions of one bridge.
 *
 * @example
 * ```ts
 * const sessions = new SessionRegistry({ command, env: () => ({}), limits, slots, log });
 * sessions.open(id, identity, { kind: 'sse', transport });
 * const open = sessions.find(id, identity, 'sse'); // undefined for any other user
 * ```
 */
export class SessionRegistry {
  readonly #options: SessionRegistryOptions;
  readonly #open = new Map<string, OpenSession>();

  constructor(options: SessionRegistryOptions) {
    this.#options = options;
  }

  get size(): number {
    return this.#open.size;
  }

  /** Opens session `id` for `identity` on `client`, starting its stdio side. */
  open(id: string, identity: BridgeIdentity, client: SessionClient): void {
    const { command, limits, slots, log, sharedChildren } = this.#options;
    const onEnded = () => this.#open.delete(id);
    const session = sharedChildren
      ? new SharedChildSession({
          id,
          userKey: identity.userKey,
          http: client.transport,
          supervisor: sharedChildren.of(identity).supervisor,
          requestTimeoutMs: limits.requestTimeoutMs,
          log,
          onEnded,
        })
      : new McpSession({
          id,
          userKey: identity.userKey,
          http: client.transport,
          command,
          env: this.#options.env(identity),
          requestTimeoutMs: limits.requestTimeoutMs,
          maxResponseBytes: limits.maxResponseBytes,
          takeSlot: () => slots.take(),
          log,
          onEnded,
        });
    this.#open.set(id, { session, ...client });
    log('session.opened', {
      sessionId: id,
      userKey: identity.userKey,
      transport: client.kind,
      sharedChild: sharedChildren !== undefined,
    });
  }

  /** The session `id` of this user and kind; another user's session id finds nothing, like an unknown one. */
  find<Kind extends SessionKind>(
    id: unknown,
    identity: BridgeIdentity,
    kind: Kind,
  ): Extract<OpenSession, { kind: Kind }> | undefined {
    const open = typeof id === 'string' ? this.#open.get(id) : undefined;
    return open && open.session.userKey === identity.userKey && open.kind === kind
      ? (open as Extract<OpenSession, { kind: Kind }>)
      : undefined;
  }

  /** Whether any session waits for an answer from its stdio server. */
  busy(): boolean {
    return [...this.#open.values()].some(({ session }) => session.pendingRequests > 0);
  }

  /** Ends the sessions with nothing pending and no activity for `limits.idleMs`. */
  endIdle(): void {
    for (const { session } of this.#open.values()) {
      if (session.pendingRequests === 0 && Date.now() - session.lastActivity > this.#options.limits.idleMs)
        void session.end('idle');
    }
  }

  async endAll(reason: SessionEndReason): Promise<void> {
    await Promise.all([...this.#open.values()].map(({ session }) => session.end(reason)));
  }

  info(): BridgeSessionInfo[] {
    return [...this.#open.values()].map(({ session, kind }) => ({
      id: session.id,
      userKey: session.userKey,
      transport: kind,
      pid: session.serverPid,
    }));
  }
}
