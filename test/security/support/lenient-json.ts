/**
 * How a lenient server reads JSON, for attack tests: Go's `encoding/json` decoding into a struct
 * matches a key to a field case-insensitively (Unicode simple folding, so the Kelvin sign is `k`
 * and the long s is `s`) and keeps the last key that matches; some other decoders keep the first
 * duplicate. `readAs(text, path, 'last-fold')` answers what such a server takes a field to be.
 */

/** An object keeps every entry in order, duplicates included. */
type Tree = null | boolean | number | string | Tree[] | { entries: [string, Tree][] };

/** Parses JSON text keeping duplicate keys (throws on malformed text). */
function parseKeepingDuplicates(text: string): Tree {
  let at = 0;
  const space = () => {
    while (at < text.length && ' \t\r\n'.includes(text[at]!)) at++;
  };
  const value = (): Tree => {
    space();
    const char = text[at];
    if (char === '{') {
      at++;
      const entries: [string, Tree][] = [];
      space();
      if (text[at] === '}') return (at++, { entries });
      for (;;) {
        space();
        const key = value();
        if (typeof key !== 'string') throw new SyntaxError(`key expected at ${at}`);
        space();
        if (text[at++] !== ':') throw new SyntaxError(`: expected at ${at}`);
        entries.push([key, value()]);
        space();
        const next = text[at++];
        if (next === '}') return { entries };
        if (next !== ',') throw new SyntaxError(`, expected at ${at}`);
      }
    }
    if (char === '[') {
      at++;
      const items: Tree[] = [];
      space();
      if (text[at] === ']') return (at++, items);
      for (;;) {
        items.push(value());
        space();
        const next = text[at++];
        if (next === ']') return items;
        if (next !== ',') throw new SyntaxError(`, expected at ${at}`);
      }
    }
    const token = /^(?:"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/.exec(text.slice(at))?.[0];
    if (token === undefined) throw new SyntaxError(`value expected at ${at}`);
    at += token.length;
    return JSON.parse(token) as Tree;
  };
  const result = value();
  space();
  if (at !== text.length) throw new SyntaxError(`trailing text at ${at}`);
  return result;
}

/** Go's `bytes.EqualFold` as far as keys go: simple case folding, no normalization. */
function goFoldEqual(a: string, b: string): boolean {
  const fold = (key: string) => Array.from(key, (char) => char.toUpperCase().toLowerCase()).join('');
  return fold(a) === fold(b);
}

export type Reading = 'last-fold' | 'first-exact' | 'last-exact';

/**
 * The value at `path` as a server reading with `reading` sees it: `last-fold` is Go's
 * `encoding/json`, `first-exact` a decoder that keeps the first duplicate, `last-exact` `JSON.parse`.
 *
 * @example
 * ```ts
 * readAs('{"params":{"name":"echo","Name":"get-env"}}', ['params', 'name'], 'last-fold'); // 'get-env'
 * ```
 */
export function readAs(text: string, path: readonly (string | number)[], reading: Reading): unknown {
  let node: Tree | undefined = parseKeepingDuplicates(text);
  for (const step of path) {
    if (node === undefined || node === null || typeof node !== 'object') return undefined;
    if (Array.isArray(node)) {
      node = typeof step === 'number' ? node[step] : undefined;
      continue;
    }
    const key = String(step);
    const matches = node.entries.filter(([name]) => (reading === 'last-fold' ? goFoldEqual(name, key) : name === key));
    node = (reading === 'first-exact' ? matches[0] : matches.at(-1))?.[1];
  }
  return toPlain(node);
}

function toPlain(node: Tree | undefined): unknown {
  if (node === null || typeof node !== 'object') return node;
  if (Array.isArray(node)) return node.map(toPlain);
  return Object.fromEntries(node.entries.map(([key, value]) => [key, toPlain(value)]));
}
