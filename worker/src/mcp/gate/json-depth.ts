/**
 * The deepest nesting of arrays and objects in JSON text, found by one scan that
 * skips strings, so a hostile body is refused before `JSON.parse` builds it.
 * Stops counting once `limit` is exceeded.
 *
 * @example
 * ```ts
 * jsonDepth('{"a":[1,{"b":"]]]"}]}', 64); // 3
 * ```
 */
export function jsonDepth(text: string, limit: number): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let index = 0; index < text.length; index++) {
    const char = text.charCodeAt(index);
    if (inString) {
      if (char === 0x5c /* \ */) index++;
      else if (char === 0x22 /* " */) inString = false;
    } else if (char === 0x22) inString = true;
    else if (char === 0x7b /* { */ || char === 0x5b /* [ */) {
      depth++;
      if (depth > deepest) {
        deepest = depth;
        if (deepest > limit) return deepest;
      }
    } else if (char === 0x7d /* } */ || char === 0x5d /* ] */) depth--;
  }
  return deepest;
}
