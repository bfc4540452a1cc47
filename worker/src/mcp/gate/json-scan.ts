/**
 * One scan of a request's JSON text before `JSON.parse` builds it: how deep it nests (so a hostile
 * body is refused cheaply), whether an object repeats a key (parsers disagree on which copy wins,
 * docs/security.md 18), and whether a number would not survive a parse and re-serialization
 * unchanged (a big integer, `1e400`, `1.0`), so the gate can keep such numbers as written.
 */

/** What {@link scanJsonText} found. Malformed text is not judged here: `JSON.parse` refuses it. */
export interface JsonTextScan {
  /** Deepest nesting of arrays and objects; stops counting once the limit is passed. */
  depth: number;
  /** The first key (decoded) that one object carries twice, if any. */
  duplicateKey: string | undefined;
  /** Whether a number is written in a form `JSON.stringify` would not give back. */
  inexactNumbers: boolean;
}

/**
 * Scans JSON text once, skipping string contents.
 *
 * @example
 * ```ts
 * scanJsonText('{"a":[1,{"b":"]]]"}]}', 64); // { depth: 3, duplicateKey: undefined, inexactNumbers: false }
 * scanJsonText('{"name":"echo","n\\u0061me":"get-env"}', 64).duplicateKey; // 'name'
 * scanJsonText('{"id":9007199254740993}', 64).inexactNumbers; // true
 * ```
 */
export function scanJsonText(text: string, limit: number): JsonTextScan {
  // One entry per open container: the keys seen so far for an object, null for an array.
  const keys: (Set<string> | null)[] = [];
  let deepest = 0;
  let expectKey = false;
  let duplicateKey: string | undefined;
  let inexactNumbers = false;
  for (let index = 0; index < text.length; index++) {
    const char = text.charCodeAt(index);
    if (char === 0x22 /* " */) {
      const start = index;
      let escaped = false;
      for (index++; index < text.length; index++) {
        const inner = text.charCodeAt(index);
        if (inner === 0x5c /* \ */) {
          escaped = true;
          index++;
        } else if (inner === 0x22) break;
      }
      if (expectKey) {
        expectKey = false;
        const key = decodeKey(text.slice(start, index + 1), escaped);
        const seen = keys.at(-1);
        if (seen && duplicateKey === undefined) {
          if (seen.has(key)) duplicateKey = key;
          else seen.add(key);
        }
      }
    } else if (char === 0x7b /* { */ || char === 0x5b /* [ */) {
      keys.push(char === 0x7b ? new Set() : null);
      expectKey = char === 0x7b;
      if (keys.length > deepest) {
        deepest = keys.length;
        if (deepest > limit) return { depth: deepest, duplicateKey, inexactNumbers };
      }
    } else if (char === 0x7d /* } */ || char === 0x5d /* ] */) {
      keys.pop();
      expectKey = false;
    } else if (char === 0x2c /* , */) {
      expectKey = keys.at(-1) instanceof Set;
    } else if (char === 0x2d /* - */ || (char >= 0x30 && char <= 0x39) /* 0-9 */) {
      let end = index + 1;
      while (end < text.length && isNumberChar(text.charCodeAt(end))) end++;
      if (!inexactNumbers) {
        const lexeme = text.slice(index, end);
        inexactNumbers = String(Number(lexeme)) !== lexeme;
      }
      index = end - 1;
    }
  }
  return { depth: deepest, duplicateKey, inexactNumbers };
}

function isNumberChar(char: number): boolean {
  // 0-9 . e E + -
  return (
    (char >= 0x30 && char <= 0x39) || char === 0x2e || char === 0x65 || char === 0x45 || char === 0x2b || char === 0x2d
  );
}

/** A key as every correct parser reads it (`"n\u0061me"` is `name`); malformed escapes are left to `JSON.parse`. */
function decodeKey(quoted: string, escaped: boolean): string {
  if (!escaped) return quoted.slice(1, -1);
  try {
    return JSON.parse(quoted) as string;
  } catch {
    return quoted;
  }
}
