/**
 * A SHA-256 digest of a call's arguments, for the audit log: equal arguments give
 * equal digests (keys sorted), and no value appears in the log. Low-entropy values
 * (a city out of three) can still be guessed from a digest; the log is for
 * correlation, not secrecy.
 *
 * @example
 * ```ts
 * await argumentDigest({ b: 1, a: 'x' }); // 'sha256:…' (the same as for { a: 'x', b: 1 })
 * ```
 */
export async function argumentDigest(args: unknown): Promise<string> {
  const bytes = new TextEncoder().encode(canonicalJson(args));
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  return `sha256:${Array.from(digest, (byte) => byte.toString(16).padStart(2, '0')).join('')}`;
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
