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

/** A level a decision reads: its path from one message (`*` is any key or index), and the keys read there. */
interface DecidedLevel {
  path: readonly string[];
  reads: readonly string[];
}

const DECIDED_LEVELS: readonly DecidedLevel[] = [
  { path: [], reads: ['jsonrpc', 'id', 'method', 'params', 'result', 'error'] },
  {
    path: ['params'],
    reads: ['name', 'uri', 'arguments', 'ref', 'notifications', 'capabilities', '_meta', 'inputResponses', 'taskId'],
  },
  // Argument names: a constrained argument is read by its exact name (and must be present).
  { path: ['params', 'arguments'], reads: [] },
  { path: ['params', 'ref'], reads: ['type', 'name', 'uri'] },
  { path: ['params', 'notifications'], reads: ['resourceSubscriptions'] },
  { path: ['params', 'capabilities'], reads: ['roots'] },
  { path: ['params', '_meta'], reads: [CLIENT_CAPABILITIES_META_KEY] },
  { path: ['params', '_meta', CLIENT_CAPABILITIES_META_KEY], reads: ['roots'] },
  { path: ['params', 'inputResponses'], reads: [] },
  { path: ['params', 'inputResponses', '*'], reads: ['roots'] },
  { path: ['params', 'inputResponses', '*', 'roots', '*'], reads: ['uri'] },
  { path: ['result'], reads: ['roots'] },
  { path: ['result', 'roots', '*'], reads: ['uri'] },
];

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
  return key.normalize('NFKC').toUpperCase().toLowerCase();
}

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
  for (const { path, reads } of DECIDED_LEVELS) {
    const readByFold = new Map(reads.map((key) => [foldKey(key), key]));
    for (const [where, object] of objectsAt(message, path, [])) {
      const place = where.length === 0 ? 'the message' : where.join('.');
      const seen = new Map<string, string>();
      for (const key of Object.keys(object)) {
        const folded = foldKey(key);
        const earlier = seen.get(folded);
        if (earlier !== undefined)
          return `${place} has the keys ${JSON.stringify(earlier)} and ${JSON.stringify(key)}, which a case-insensitive decoder reads as one`;
        seen.set(folded, key);
        const read = readByFold.get(folded);
        if (read !== undefined && read !== key)
          return `${place} spells ${JSON.stringify(read)} as ${JSON.stringify(key)}; only the exact spelling is accepted`;
      }
    }
  }
  return undefined;
}

function* objectsAt(
  value: unknown,
  path: readonly string[],
  where: string[],
): Generator<[string[], Record<string, unknown>]> {
  if (typeof value !== 'object' || value === null) return;
  if (path.length === 0) {
    if (!Array.isArray(value)) yield [where, value as Record<string, unknown>];
    return;
  }
  const [step, ...rest] = path as [string, ...string[]];
  if (step === '*') {
    const entries = Array.isArray(value) ? [...value.entries()] : Object.entries(value);
    for (const [key, child] of entries) yield* objectsAt(child, rest, [...where, String(key)]);
  } else if (!Array.isArray(value) && Object.hasOwn(value, step)) {
    yield* objectsAt((value as Record<string, unknown>)[step], rest, [...where, step]);
  }
}
