/**
 * The bridge's open sessions, 2025 Streamable HTTP and old HTTP+SSE alike: opens each one with
 * its own stdio child (or on the user's shared child with `shareChildPerUser`), finds it again
 * only for the user that opened it, ends the idle ones, and ends them all when the bridge closes.
 * One place that owns the sessions, so a bound on them has one place to live.
 *
 * Fair share (docs/security.md 22): a user holds at most `maxSessionsPerUser` sessions, and the
 * bridge at most `maxChildren` processes. Clients that never end their sessions (crashed or
 * restarted ones, test runners) would otherwise fill both and lock everyone out until the idle
 * reaper, 15 minutes on. So a new session first reclaims its user's least recently used idle
 * session, and for a process slot, then anyone's. Idle means no request in flight: a session
 * with a call running is never reclaimed, and when every one has, the new session is refused,
 * saying why. Among idle sessions, those with no stream open go first; a session whose client
 * still listens on its GET stream (or holds its old HTTP+SSE connection) goes only when no other
 * is idle, since a client that abandons sessions may well leave their streams open.
 */
import type { SSEServerTransport } from '@modelcontextprotocol/sdk/server/sse.js';
import type { BridgeLimits } from './bridge-limits.ts';
import type { BridgeIdentity } from './bridge.ts';
import type { ChildSlots } from './child-slots.ts';
import { JsonRpcError } from './initialized-child.ts';
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
  /** Client requests waiting for the server right now. */
  pendingRequests: number;
}

export type SessionKind = 'streamable' | 'sse';

/** The client side of a session: the transport it came in on. */
type SessionClient =
  | { kind: 'streamable'; transport: SessionHttpTransport }
  | { kind: 'sse'; transport: SSEServerTransport };

/** A session with the client transport it was opened on. */
type OpenSession = SessionClient & { session: McpSession | SharedChildSession };

/** JSON-RPC code of a session refused for want of room (the SDK's generic server error range). */
const NO_ROOM = -32003;

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

  /** Opens session `id` for `identity` on `client`, starting its stdio side once there is room for it. */
  open(id: string, identity: BridgeIdentity, client: SessionClient): void {
    const { command, limits, log, sharedChildren } = this.#options;
    const onEnded = () => this.#open.delete(id);
    const admitted = this.#admit(identity.userKey);
    const session = sharedChildren
      ? new SharedChildSession({
          id,
          userKey: identity.userKey,
          http: client.transport,
          supervisor: sharedChildren.of(identity).supervisor,
          requestTimeoutMs: limits.requestTimeoutMs,
          log,
          onEnded,
          admitted,
        })
      : new McpSession({
          id,
          userKey: identity.userKey,
          http: client.transport,
          command,
          env: this.#options.env(identity),
          requestTimeoutMs: limits.requestTimeoutMs,
          maxResponseBytes: limits.maxResponseBytes,
          takeSlot: async () => {
            const refused = await admitted;
            if (refused) throw refused;
            return this.#takeSlot(identity.userKey, id);
          },
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

  /**
   * Makes room for one more session of `userKey` within their quota: resolves `undefined` once
   * there is (their least recently used idle session reclaimed if need be), or the error that
   * refuses the new session when all of theirs are in use. Decided now, before the new session
   * is counted; a reclaimed session leaves the registry at once, so two new sessions never pick
   * the same one.
   */
  async #admit(userKey: string): Promise<JsonRpcError | undefined> {
    const { maxSessionsPerUser } = this.#options.limits;
    const theirs = [...this.#open.values()].filter(({ session }) => session.userKey === userKey);
    if (theirs.length < maxSessionsPerUser) return undefined;
    const unused = leastRecentlyUsedIdle(theirs);
    if (!unused)
      return new JsonRpcError(
        NO_ROOM,
        `You already have ${theirs.length} MCP sessions open, each with a request in flight (at most ${maxSessionsPerUser}); end one (DELETE) or wait for one to finish`,
      );
    await this.#reclaim(unused, 'user-quota');
    return undefined;
  }

  /**
   * Takes a process slot for a new session of `userKey`, reclaiming, while the bridge is full, the
   * least recently used idle session that holds a process: the user's own first, then anyone's.
   */
  async #takeSlot(userKey: string, forSession: string): Promise<() => void> {
    for (;;) {
      try {
        return this.#options.slots.take();
      } catch (error) {
        const holders = [...this.#open.values()].filter(
          ({ session }) => session instanceof McpSession && session.id !== forSession,
        );
        const unused =
          leastRecentlyUsedIdle(holders.filter(({ session }) => session.userKey === userKey)) ??
          leastRecentlyUsedIdle(holders);
        if (!unused) throw error;
        await this.#reclaim(unused, 'bridge-full');
      }
    }
  }

  async #reclaim(open: OpenSession, why: 'user-quota' | 'bridge-full'): Promise<void> {
    this.#options.log('session.reclaimed', {
      sessionId: open.session.id,
      userKey: open.session.userKey,
      why,
      idleMs: Date.now() - open.session.lastActivity,
    });
    await open.session.end('reclaimed');
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
      pendingRequests: session.pendingRequests,
    }));
  }
}

/** A client still listens on this session: its GET stream is open (an old HTTP+SSE session is its stream). */
function isListening({ session, kind }: OpenSession): boolean {
  return kind === 'sse' || session.openStreams > 0;
}

/** The session to reclaim: no request in flight, not listened to if any such is left, least recently used. */
function leastRecentlyUsedIdle(candidates: OpenSession[]): OpenSession | undefined {
  const idle = candidates.filter(({ session }) => session.pendingRequests === 0);
  const quiet = idle.filter((open) => !isListening(open));
  return (quiet.length > 0 ? quiet : idle).reduce<OpenSession | undefined>(
    (oldest, open) => (oldest === undefined || open.session.lastActivity < oldest.session.lastActivity ? open : oldest),
    undefined,
  );
}
