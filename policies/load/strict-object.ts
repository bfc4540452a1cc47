/**
 * A schema object that refuses unknown keys with a helpful message, because a misspelt key in a
 * policy would otherwise be ignored and the rule would mean something else than it says.
 */
import { z } from 'zod';

/**
 * A zod object that refuses unknown keys with a message a reviewer can act on:
 * the unknown key, the closest known key when it looks like a typo, and the known keys.
 *
 * @example
 * ```ts
 * strictObject('rule', { name: z.string() }).safeParse({ nmae: 'x' });
 * // issue: 'unknown key "nmae" in a rule (did you mean "name"?); known keys: name'
 * ```
 */
export function strictObject<Shape extends z.ZodRawShape>(what: string, shape: Shape) {
  const known = Object.keys(shape);
  return z.strictObject(shape, {
    error: (issue) => {
      if (issue.code === 'invalid_type') return `${what} must be an object of key: value lines`;
      if (issue.code !== 'unrecognized_keys') return undefined;
      return issue.keys.map((key: string) => unknownKeyMessage(key, what, known)).join('; ');
    },
  });
}

/** The message for one unknown key, with a "did you mean" when a known key is close. */
function unknownKeyMessage(key: string, what: string, known: readonly string[]): string {
  const suggestion = closest(key, known);
  const hint = suggestion ? ` (did you mean "${suggestion}"?)` : '';
  return `unknown key "${key}" in ${what}${hint}; known keys: ${known.join(', ')}`;
}

function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (distance <= Math.max(2, Math.floor(candidate.length / 3)) && (!best || distance < best.distance)) {
      best = { candidate, distance };
    }
  }
  return best?.candidate;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}
