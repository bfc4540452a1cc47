/**
 * What the server behind each session currently offers, as far as this isolate has seen: for each
 * tool and prompt, whether its definition matches its pin. The gate fills it from every list answer
 * that passes (and from its own probes), forgets a kind when the server announces `list_changed`,
 * and trusts an entry for {@link LEDGER_TTL_MS} at most, so a server that changes a definition
 * without announcing it is re-checked within a minute. Kept in memory per isolate; bounded.
 */
import type { DefinitionKind } from '../../../../../policies/model/pinned-definition.ts';

/** How a listed definition compares with its pin. */
export type DefinitionVerdict =
  | { status: 'pinned' }
  | { status: 'drifted'; pinnedDigest: string | null; observedDigest: string };

/** How long a listing is trusted without being seen again. */
const LEDGER_TTL_MS = 60_000;
/** Sessions remembered per isolate; the oldest is forgotten first. */
const MAX_SESSIONS = 10_000;

interface KindState {
  at: number;
  /** True once a whole listing (every page) was seen: a key it lacks is not offered. */
  complete: boolean;
  verdicts: Map<string, DefinitionVerdict>;
}

interface SessionState {
  kinds: Partial<Record<DefinitionKind, KindState>>;
  /** Drift already reported for this session (`kind key digest`), so each is audited once. */
  reported: Set<string>;
}

/**
 * @example
 * ```ts
 * const ledger = new DefinitionLedger();
 * ledger.record('alice\u0000session-1', 'tool', new Map([['echo', { status: 'pinned' }]]), { complete: true, now: Date.now() });
 * ledger.lookup('alice\u0000session-1', 'tool', 'echo', Date.now()); // { status: 'pinned' }
 * ```
 */
export class DefinitionLedger {
  readonly #sessions = new Map<string, SessionState>();

  /** Records verdicts seen in a listing; `complete` when it was the whole list. */
  record(
    session: string,
    kind: DefinitionKind,
    verdicts: Map<string, DefinitionVerdict>,
    options: { complete: boolean; now: number },
  ): void {
    const state = this.#session(session);
    const current = state.kinds[kind];
    if (options.complete || !current || options.now - current.at > LEDGER_TTL_MS) {
      state.kinds[kind] = { at: options.now, complete: options.complete, verdicts: new Map(verdicts) };
      return;
    }
    for (const [key, verdict] of verdicts) current.verdicts.set(key, verdict);
  }

  /**
   * The verdict for one definition: a verdict, `unlisted` (a whole, fresh listing lacks it), or
   * `undefined` when this isolate does not know (the gate then asks the server for its list).
   */
  lookup(session: string, kind: DefinitionKind, key: string, now: number): DefinitionVerdict | 'unlisted' | undefined {
    const state = this.#sessions.get(session)?.kinds[kind];
    if (!state || now - state.at > LEDGER_TTL_MS) return undefined;
    return state.verdicts.get(key) ?? (state.complete ? 'unlisted' : undefined);
  }

  /** The server announced `list_changed`: what it listed before no longer counts. */
  forget(session: string, kind: DefinitionKind): void {
    const state = this.#sessions.get(session);
    if (state) delete state.kinds[kind];
  }

  /** True the first time a drifted definition is seen in a session; false after. */
  firstReport(session: string, kind: DefinitionKind, key: string, digest: string): boolean {
    const reported = this.#session(session).reported;
    const id = `${kind} ${key} ${digest}`;
    if (reported.has(id)) return false;
    reported.add(id);
    return true;
  }

  #session(session: string): SessionState {
    let state = this.#sessions.get(session);
    if (state) {
      // Map order is insertion order: re-inserting keeps recently used sessions last.
      this.#sessions.delete(session);
    } else {
      state = { kinds: {}, reported: new Set() };
      if (this.#sessions.size >= MAX_SESSIONS) this.#sessions.delete(this.#sessions.keys().next().value!);
    }
    this.#sessions.set(session, state);
    return state;
  }
}
