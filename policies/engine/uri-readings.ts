/**
 * The readings of a path or URI the policy matches, so a glob or a prefix is checked against every
 * way a server may resolve it (docs/security.md, item 6 of the second review). A server may
 * percent-decode (once or more), treat `\` as `/`, drop tab, CR and LF (the WHATWG URL parser does,
 * so `.\t.` is `..`), or resolve `.` and `..` segments; a check on the raw text alone misses each.
 * What cannot be read one safe way is refused rather than guessed at. Pure: no I/O.
 */

/** C0 controls and DEL: URL parsers drop some (tab, CR, LF); none belongs in a name or a path. */
// oxlint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;
/** Where a path or URI segment ends, for any server: `/`, `\`, and the starts of parameters, query and fragment. */
const SEGMENT_SEPARATORS = /[/\\;?#&=]/;
/** Decoding stops here: text still encoded after this many rounds is refused. */
const MAX_DECODING_ROUNDS = 4;

/** The readings of a value, or why it has none that can be trusted. */
export type Readings = { ok: true; readings: string[] } | { ok: false; problem: string };

/**
 * The value as written and fully percent-decoded (both are checked), or the problem that stops it:
 * control characters, or percent-encoding that does not decode to UTF-8.
 *
 * @example
 * ```ts
 * readingsOf('file:///srv/shared/%61.txt'); // { ok: true, readings: ['file:///srv/shared/%61.txt', 'file:///srv/shared/a.txt'] }
 * readingsOf('/srv/.\t./etc'); // { ok: false, problem: 'contains control characters (tab, CR, LF and the like)' }
 * ```
 */
export function readingsOf(value: string): Readings {
  if (CONTROL_CHARACTERS.test(value))
    return { ok: false, problem: 'contains control characters (tab, CR, LF and the like)' };
  let decoded = value;
  for (let round = 0; ; round++) {
    const next = percentDecoded(decoded);
    if (next === undefined) return { ok: false, problem: 'has percent-encoding that does not decode to UTF-8' };
    if (next === decoded) break;
    if (round === MAX_DECODING_ROUNDS) return { ok: false, problem: 'is percent-encoded too many times over' };
    if (CONTROL_CHARACTERS.test(next))
      return { ok: false, problem: 'contains encoded control characters (tab, CR, LF and the like)' };
    decoded = next;
  }
  return { ok: true, readings: decoded === value ? [value] : [value, decoded] };
}

/**
 * Whether a reading has a `..` segment, also written with compatibility characters (fullwidth dots).
 *
 * @example
 * ```ts
 * climbsOut('https://raw.githubusercontent.com/org/../evil'); // true
 * climbsOut('/srv/data/a..b'); // false
 * ```
 */
export function climbsOut(reading: string): boolean {
  return segmentsOf(reading).includes('..');
}

/**
 * Why a resource or root URI is not in the one form a glob can be trusted with, or `undefined` when
 * it is: no `.` or `..` segment anywhere, and no empty segment in its path (`a//b` is `a/b` to most
 * servers, but not to a glob that denies `a/b/*`).
 *
 * @example
 * ```ts
 * nonCanonicalUri('file:///srv/shared/../../etc/passwd'); // 'has a . or .. segment'
 * nonCanonicalUri('demo://resource/static/document/a.md'); // undefined
 * ```
 */
export function nonCanonicalUri(reading: string): string | undefined {
  const segments = segmentsOf(reading);
  if (segments.includes('..') || segments.includes('.')) return 'has a . or .. segment';
  const afterScheme = reading.replace(/^[a-z][a-z0-9+.-]*:/i, '');
  const path = (afterScheme.startsWith('//') ? afterScheme.replace(/^\/\/[^/]*/, '') : afterScheme).split(/[?#]/)[0]!;
  if (/[/\\]{2}/.test(path)) return 'has an empty path segment (//)';
  return undefined;
}

function segmentsOf(reading: string): string[] {
  return [...reading.split(SEGMENT_SEPARATORS), ...reading.normalize('NFKC').split(SEGMENT_SEPARATORS)];
}

/** One round of percent-decoding; `undefined` when an encoded sequence is not UTF-8. A lone `%` stays as it is. */
function percentDecoded(value: string): string | undefined {
  if (!value.includes('%')) return value;
  let failed = false;
  const decoded = value.replace(/(?:%[0-9a-f]{2})+/gi, (run) => {
    try {
      return decodeURIComponent(run);
    } catch {
      failed = true;
      return run;
    }
  });
  return failed ? undefined : decoded;
}
