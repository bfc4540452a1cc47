/**
 * The pinned-definitions step of the gate (docs/security.md, requirement 23), for one request:
 * every tool, resource template and prompt a server lists is compared with its pin; in `hide`
 * mode (the default) a drifted or unpinned one is taken out of the list, and a call to a tool or
 * prompt whose current definition is not the pinned one is refused before it reaches the server.
 * In `warn` mode nothing is taken out or refused. Either way each drifted definition is audited
 * once per session with both digests.
 */
import { definitionDigest } from '../../../../../policies/definitions/definition-digest.ts';
import { DEFINITION_KEYS } from '../../../../../policies/definitions/review-text.ts';
import type { DefinitionKind, DefinitionPins, DriftMode } from '../../../../../policies/model/pinned-definition.ts';
import type { JsonRpcMessage } from '../json-rpc.ts';
import type { DefinitionLedger, DefinitionVerdict } from './definition-ledger.ts';
import type { DefinitionDriftRecord } from './drift-record.ts';

/** What the gate enforces: the pins, the drift mode, and this isolate's ledger. */
export interface PinnedDefinitionsCheck {
  pins: DefinitionPins;
  mode: DriftMode;
  ledger: DefinitionLedger;
}

/** A refused call: the built-in rule `pinned-definitions` and why. */
export interface DefinitionRefusal {
  rule: 'pinned-definitions';
  reason: string;
}

/** The lists that carry definitions, by the result key. */
const LISTED: ReadonlyArray<[string, DefinitionKind]> = [
  ['tools', 'tool'],
  ['resourceTemplates', 'resourceTemplate'],
  ['prompts', 'prompt'],
];

/** Notifications that make a kind's earlier listing void. */
const LIST_CHANGED: Readonly<Record<string, DefinitionKind>> = {
  'notifications/tools/list_changed': 'tool',
  'notifications/prompts/list_changed': 'prompt',
  'notifications/resources/list_changed': 'resourceTemplate',
};

const WORDS: Record<DefinitionKind, string> = { tool: 'tool', resourceTemplate: 'resource template', prompt: 'prompt' };

type DriftReport = Pick<DefinitionDriftRecord, 'kind' | 'name' | 'pinnedDigest' | 'observedDigest' | 'action'>;

/**
 * @example
 * ```ts
 * const guard = new DefinitionGuard(check, `${user.sub}\u0000${sessionId}`, (drift) => audit({ ...base, ...drift }));
 * const refusal = await guard.checkCall(message, (kind) => probeList(request, message.params, kind, forward));
 * const shown = guard.filter(serverMessage);
 * ```
 */
export class DefinitionGuard {
  readonly #check: PinnedDefinitionsCheck;
  readonly #session: string;
  readonly #report: (drift: DriftReport) => void;
  readonly #now: () => number;

  constructor(
    check: PinnedDefinitionsCheck,
    session: string,
    report: (drift: DriftReport) => void,
    now: () => number = Date.now,
  ) {
    this.#check = check;
    this.#session = session;
    this.#report = report;
    this.#now = now;
  }

  /**
   * One message from the server: lists lose their drifted entries (mode `hide`), every listed
   * verdict is remembered, and a `list_changed` notification voids the kind's earlier listing.
   * Returns the same object when nothing was taken out.
   */
  filter(message: unknown): unknown {
    if (typeof message !== 'object' || message === null || Array.isArray(message)) return message;
    const { method, result } = message as { method?: unknown; result?: unknown };
    if (typeof method === 'string') {
      const kind = LIST_CHANGED[method];
      if (kind) this.#check.ledger.forget(this.#session, kind);
      return message;
    }
    if (typeof result !== 'object' || result === null || Array.isArray(result)) return message;
    let changed: Record<string, unknown> | undefined;
    for (const [field, kind] of LISTED) {
      const entries = (result as Record<string, unknown>)[field];
      if (!Array.isArray(entries)) continue;
      const kept = this.#judge(kind, entries, false);
      if (kept.length !== entries.length) {
        changed ??= { ...(result as Record<string, unknown>) };
        changed[field] = kept;
      }
    }
    return changed ? { ...message, result: changed } : message;
  }

  /**
   * Whether a `tools/call` or `prompts/get` may go to the server: only when the definition the
   * server lists now is the pinned one. When this isolate has not seen a recent listing, `probe`
   * asks the server for its whole list first. Without `probe` (the old HTTP+SSE transport answers
   * on its stream, so the gate cannot ask), an unseen definition passes when its name is pinned.
   */
  async checkCall(
    message: JsonRpcMessage,
    probe: ((kind: 'tool' | 'prompt') => Promise<Record<string, unknown>[]>) | undefined,
  ): Promise<DefinitionRefusal | undefined> {
    if (this.#check.mode === 'warn') return undefined;
    const kind = message.method === 'tools/call' ? 'tool' : message.method === 'prompts/get' ? 'prompt' : undefined;
    const name = (message.params as { name?: unknown } | undefined)?.name;
    if (!kind || typeof name !== 'string') return undefined;
    let verdict = this.#check.ledger.lookup(this.#session, kind, name, this.#now());
    if (verdict === undefined && !probe) {
      if (Object.hasOwn(this.#check.pins[kind], name)) return undefined;
      return { rule: 'pinned-definitions', reason: `${WORDS[kind]} ${name} is not pinned in policies/inventory.yaml.` };
    }
    if (verdict === undefined) {
      let listed: Record<string, unknown>[];
      try {
        listed = await probe!(kind);
      } catch (error) {
        return {
          rule: 'pinned-definitions',
          reason: `the server's current ${WORDS[kind]} list could not be read to check ${WORDS[kind]} ${name} against its pin (${error instanceof Error ? error.message : String(error)}).`,
        };
      }
      this.#judge(kind, listed, true);
      verdict = this.#check.ledger.lookup(this.#session, kind, name, this.#now()) ?? 'unlisted';
    }
    if (verdict === 'unlisted')
      return {
        rule: 'pinned-definitions',
        reason: `the server does not list ${WORDS[kind]} ${name}, so its definition cannot be checked against a pin.`,
      };
    if (verdict.status === 'pinned') return undefined;
    return {
      rule: 'pinned-definitions',
      reason:
        verdict.pinnedDigest === null
          ? `${WORDS[kind]} ${name} is not pinned in policies/inventory.yaml (offered definition ${verdict.observedDigest}).`
          : `${WORDS[kind]} ${name} differs from its pin in policies/inventory.yaml (pinned ${verdict.pinnedDigest}, offered ${verdict.observedDigest}).`,
    };
  }

  /** Verdicts for listed entries, remembered and reported; returns the entries a client may see. */
  #judge(kind: DefinitionKind, entries: unknown[], complete: boolean): unknown[] {
    const verdicts = new Map<string, DefinitionVerdict>();
    const hide = this.#check.mode === 'hide';
    const kept = entries.filter((entry) => {
      const key =
        typeof entry === 'object' && entry !== null
          ? (entry as Record<string, unknown>)[DEFINITION_KEYS[kind]]
          : undefined;
      if (typeof key !== 'string') return !hide;
      const observedDigest = definitionDigest(entry);
      const pinnedDigest = Object.hasOwn(this.#check.pins[kind], key) ? this.#check.pins[kind][key]! : null;
      if (pinnedDigest === observedDigest) {
        verdicts.set(key, { status: 'pinned' });
        return true;
      }
      verdicts.set(key, { status: 'drifted', pinnedDigest, observedDigest });
      if (this.#check.ledger.firstReport(this.#session, kind, key, observedDigest)) {
        this.#report({ kind, name: key, pinnedDigest, observedDigest, action: hide ? 'hidden' : 'warned' });
      }
      return !hide;
    });
    if (kind !== 'resourceTemplate')
      this.#check.ledger.record(this.#session, kind, verdicts, { complete, now: this.#now() });
    return kept;
  }
}
