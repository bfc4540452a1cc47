/**
 * One reading of every key the gate decides on (docs/security.md 18). The gate reads `params.name`
 * exactly; a server whose JSON decoder matches keys case-insensitively (Go's `encoding/json`; .NET
 * and Jackson when so configured) also reads `"Name"`, and keeps whichever comes last. So at each
 * level a decision reads, a message is refused when two keys fold to the same key, or when a key
 * folds to one the gate reads without being spelt like it (`"Method"` in a message the gate takes
 * for a response would be a call to such a server).
 *
 * Argument values and results below those levels are the server's data, where `"A"` and `"a"` may
 * both be meant, and are left alone.
 */
import { CLIENT_CAPABILITIES_META_KEY } from './client-capabilities.ts';

/** Where a 2026-07-28 request names its revision (read by the approval step, gate/approval/modern-approval.ts). */
const PROTOCOL_VERSION_META_KEY = 'io.modelcontextprotocol/protocolVersion';

/** A level a decision reads: the keys read there, and the levels below it by key (`*` is any key or index). */
interface DecidedLevel {
  reads: readonly string[];
  below?: Readonly<Record<string, DecidedLevel>>;
}

/** Every level a decision reads, from one message down. */
const DECIDED: DecidedLevel = {
  reads: ['jsonrpc', 'id', 'method', 'params', 'result', 'error'],
  below: {
    params: {
      reads: [
        'name',
        'uri',
        'arguments',
        'ref',
        'notifications',
        'capabilities',
        '_meta',
        'inputResponses',
        'taskId',
        // The approval step (gate/approval/): the gateway's signed state, and the call a cancellation names.
        'requestState',
        'requestId',
      ],
      below: {
        // Argument names: a constrained argument is read by its exact name (and must be present).
        arguments: { reads: [] },
        ref: { reads: ['type', 'name', 'uri'] },
        notifications: { reads: ['resourceSubscriptions'] },
        capabilities: { reads: ['roots', 'elicitation'] },
        _meta: {
          reads: [CLIENT_CAPABILITIES_META_KEY, PROTOCOL_VERSION_META_KEY],
          below: { [CLIENT_CAPABILITIES_META_KEY]: { reads: ['roots', 'elicitation'] } },
        },
        inputResponses: {
          reads: [],
          below: {
            '*': { reads: ['roots', 'action'], below: { roots: { reads: [], below: { '*': { reads: ['uri'] } } } } },
          },
        },
      },
    },
    result: { reads: ['roots'], below: { roots: { reads: [], below: { '*': { reads: ['uri'] } } } } },
  },
};

/**
 * A key as a case-insensitive decoder may see it: compatibility-normalized (`ﬁ` is `fi`), upper- then
 * lower-cased, which also folds the Kelvin sign to `k`, the long s to `s` and final sigma to sigma.
 * Stricter than Go's simple folding in a few places (`ß` and `ss` collide), never looser.
 *
 * @example
 * ```ts
 * foldKey('Name') === foldKey('name'); // true
 * foldKey('\u212Aey') === foldKey('key'); // true (Kelvin sign)
 * ```
 */
export function foldKey(key: string): string {
  // ASCII is its own compatibility form, and its upper- then lower-case is its lower case.
  return ASCII.test(key) ? key.toLowerCase() : key.normalize('NFKC').toUpperCase().toLowerCase();
}

const ASCII = /^[\x20-\x7e]*$/;

/**
 * Why a message has more than one reading at a level the gate decides on, in words, or `undefined`
 * when it has one.
 *
 * @example
 * ```ts
 * foldedKeyCollision({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'echo', Name: 'get-env' } });
 * // 'params has the keys "name" and "Name", which a case-insensitive decoder reads as one'
 * ```
 */
export function foldedKeyCollision(message: unknown): string | undefined {
  return collisionAt(message, DECIDED, []);
}

function collisionAt(value: unknown, level: DecidedLevel, where: string[]): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  if (Array.isArray(value)) {
    // An array is a list of entries of the level below ('*'), never a level of keys itself.
    return undefined;
  }
  const place = where.length === 0 ? 'the message' : where.join('.');
  const seen = new Map<string, string>();
  for (const key of Object.keys(value)) {
    const folded = foldKey(key);
    const earlier = seen.get(folded);
    if (earlier !== undefined)
      return `${place} has the keys ${JSON.stringify(earlier)} and ${JSON.stringify(key)}, which a case-insensitive decoder reads as one`;
    seen.set(folded, key);
    const read = readsByFold(level).get(folded);
    if (read !== undefined && read !== key)
      return `${place} spells ${JSON.stringify(read)} as ${JSON.stringify(key)}; only the exact spelling is accepted`;
  }
  if (!level.below) return undefined;
  for (const [step, below] of Object.entries(level.below)) {
    const children =
      step === '*'
        ? Object.entries(value)
        : Object.hasOwn(value, step)
          ? [[step, (value as Record<string, unknown>)[step]]]
          : [];
    for (const [key, child] of children as [string, unknown][]) {
      const found = Array.isArray(child)
        ? firstOf(child, (item, index) => collisionBelow(item, below, [...where, key, String(index)]))
        : collisionAt(child, below, [...where, key]);
      if (found) return found;
    }
  }
  return undefined;
}

const foldedReads = new WeakMap<DecidedLevel, Map<string, string>>();

/** The keys a level reads, by their folded form (computed once per level). */
function readsByFold(level: DecidedLevel): Map<string, string> {
  let byFold = foldedReads.get(level);
  if (!byFold) {
    byFold = new Map(level.reads.map((name) => [foldKey(name), name]));
    foldedReads.set(level, byFold);
  }
  return byFold;
}

/** Entries of an array under a level: each is matched against the level's `*`. */
function collisionBelow(item: unknown, level: DecidedLevel, where: string[]): string | undefined {
  const each = level.below?.['*'];
  return each ? collisionAt(item, each, where) : undefined;
}

function firstOf<T>(items: readonly T[], find: (item: T, index: number) => string | undefined): string | undefined {
  for (let index = 0; index < items.length; index++) {
    const found = find(items[index]!, index);
    if (found) return found;
  }
  return undefined;
}
