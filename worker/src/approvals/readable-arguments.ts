/**
 * A tool call's arguments as a person reads them before approving: one line per value, nested
 * values indented, strings quoted with every control and direction-changing character escaped (so
 * a value cannot fake a line or reorder what the reader sees), long values and lists shortened, and
 * anything that looks like a secret hidden. The approver needs to know what will run, not the
 * caller's password; and the text is kept in the approval record, so no secret is stored either.
 * The secret rules are heuristics (names like `password` or `api_key`, values shaped like tokens,
 * keys or credentials in URLs): docs/policies.md says what they catch. Pure: no I/O.
 */

/** Bounds of the text, so a huge argument cannot flood an approver's screen or a record. */
export interface ReadableBounds {
  /** Longest string shown before it is cut. */
  maxString: number;
  /** Most list items or object keys shown per level. */
  maxItems: number;
  /** Deepest nesting shown. */
  maxDepth: number;
  /** Longest whole text. */
  maxTotal: number;
}

const DEFAULT_READABLE_BOUNDS: ReadableBounds = { maxString: 200, maxItems: 20, maxDepth: 6, maxTotal: 2_000 };

/** What a hidden value is shown as. */
export const HIDDEN = '«hidden: looks like a secret»';

/**
 * The readable text of `args` (an object of arguments, or anything JSON).
 *
 * @example
 * ```ts
 * readableArguments({ path: '/srv/app', force: true, apiKey: 'sk-live-123' });
 * // 'path: "/srv/app"\nforce: true\napiKey: «hidden: looks like a secret»'
 * ```
 */
export function readableArguments(args: unknown, bounds: ReadableBounds = DEFAULT_READABLE_BOUNDS): string {
  if (args === undefined || (isRecord(args) && Object.keys(args).length === 0)) return '(no arguments)';
  const lines = isRecord(args) ? objectLines(args, 0, bounds) : [scalarOrNested(args, 0, bounds, false)].flat();
  const text = lines.join('\n');
  if (text.length <= bounds.maxTotal) return text;
  return `${text.slice(0, bounds.maxTotal).replace(/\n[^\n]*$/, '')}\n… (shortened: the arguments are longer than ${bounds.maxTotal} characters)`;
}

function objectLines(object: Record<string, unknown>, depth: number, bounds: ReadableBounds): string[] {
  const keys = Object.keys(object);
  const lines: string[] = [];
  const indent = '  '.repeat(depth);
  for (const key of keys.slice(0, bounds.maxItems)) {
    const label = `${indent}${/^[A-Za-z_][\w.-]*$/.test(key) ? key : quote(key, bounds)}:`;
    const value = object[key];
    if (secretName(key) && value !== null && value !== undefined && value !== '') {
      lines.push(`${label} ${HIDDEN}`);
      continue;
    }
    const rendered = scalarOrNested(value, depth + 1, bounds, true);
    if (typeof rendered === 'string') lines.push(`${label} ${rendered}`);
    else lines.push(label, ...rendered);
  }
  if (keys.length > bounds.maxItems) lines.push(`${indent}… (${keys.length - bounds.maxItems} more)`);
  return lines;
}

/** A scalar as one string; an object or list as indented lines. */
function scalarOrNested(value: unknown, depth: number, bounds: ReadableBounds, nested: boolean): string | string[] {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return secretValue(value) ? HIDDEN : quote(value, bounds);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (depth > bounds.maxDepth) return '… (nested too deep to show)';
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    const indent = '  '.repeat(nested ? depth : 0);
    const lines: string[] = [];
    for (const item of value.slice(0, bounds.maxItems)) {
      const rendered = scalarOrNested(item, depth + 1, bounds, true);
      if (typeof rendered === 'string') lines.push(`${indent}- ${rendered}`);
      else lines.push(`${indent}-`, ...rendered);
    }
    if (value.length > bounds.maxItems) lines.push(`${indent}… (${value.length - bounds.maxItems} more)`);
    return lines;
  }
  if (isRecord(value)) {
    if (Object.keys(value).length === 0) return '{}';
    return objectLines(value, nested ? depth : 0, bounds);
  }
  return 'null'; // nothing else comes out of JSON
}

/**
 * JSON string quoting, plus escapes for what JSON leaves alone but a reader cannot see: line and
 * paragraph separators, zero-width characters and bidirectional controls.
 */
function quote(text: string, bounds: ReadableBounds): string {
  const shown = text.length > bounds.maxString ? text.slice(0, bounds.maxString) : text;
  const quoted = JSON.stringify(shown).replace(
    /[\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return text.length > bounds.maxString ? `${quoted}… (${text.length - bounds.maxString} more characters)` : quoted;
}

/** Words that name a secret when they make up an argument's name (`db_password`, `apiKey`, `X-Auth-Token`). */
const SECRET_WORDS = new Set([
  'password',
  'passwd',
  'passphrase',
  'pwd',
  'secret',
  'secrets',
  'token',
  'tokens',
  'credential',
  'credentials',
  'auth',
  'authorization',
  'cookie',
  'cookies',
  'bearer',
  'signature',
  'otp',
  'pin',
  'cvv',
  'cvc',
  'ssn',
]);
/** Two-word names that are secrets although neither word is (`api key`, `private key`). */
const SECRET_PAIRS = new Set([
  'api key',
  'private key',
  'access key',
  'secret key',
  'signing key',
  'session id',
  'client secret',
]);

function secretName(name: string): boolean {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
  if (words.some((word) => SECRET_WORDS.has(word) || word === 'apikey' || word === 'privatekey')) return true;
  return words.some((word, index) => index > 0 && SECRET_PAIRS.has(`${words[index - 1]} ${word}`));
}

/** Shapes of credentials that announce themselves. */
const SECRET_SHAPES = [
  /^eyJ[\w-]{5,}\.[\w-]{5,}\.[\w-]*$/, // a JWT
  /-----BEGIN [A-Z ]*PRIVATE KEY-----/,
  /^(?:sk|rk)[-_](?:live|test|proj|ant)?[-_]?[A-Za-z0-9_-]{12,}$/, // Stripe, OpenAI, Anthropic style
  /^(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{20,}$|^github_pat_[A-Za-z0-9_]{20,}$/,
  /^xox[abprs]-[A-Za-z0-9-]{10,}$/, // Slack
  /^(?:AKIA|ASIA)[0-9A-Z]{16}$/, // AWS access key id
  /^AIza[0-9A-Za-z_-]{30,}$/, // Google API key
  /^Bearer\s+\S{8,}$/i,
  /^[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^/\s@]+@/i, // credentials inside a URL
];

function secretValue(value: string): boolean {
  if (SECRET_SHAPES.some((shape) => shape.test(value))) return true;
  return randomLooking(value);
}

/**
 * A long unbroken run of letters and digits of both cases, with the character spread of random
 * data (a key or token), and without the slashes or spaces of a path, URL or sentence.
 */
function randomLooking(value: string): boolean {
  if (value.length < 24 || value.length > 4096 || /[\s/\\]/.test(value)) return false;
  if (!/[a-z]/.test(value) || !/[A-Z]/.test(value) || !/[0-9]/.test(value)) return false;
  const counts = new Map<string, number>();
  for (const char of value) counts.set(char, (counts.get(char) ?? 0) + 1);
  let entropy = 0;
  for (const count of counts.values()) {
    const share = count / value.length;
    entropy -= share * Math.log2(share);
  }
  return entropy >= 4;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
