/**
 * The digest of one definition as the server lists it: SHA-256 over its canonical JSON (keys
 * sorted at every level, no whitespace), so the same definition always has the same digest,
 * whatever order the server writes its keys in. Every field counts (name, title, description,
 * schemas, annotations, icons, `_meta`): anything the client receives can steer the model. The
 * one exception is `execution` (task support), which says how a revision of the protocol runs the
 * tool, not what it does: the bridge's 2026-07-28 adapter drops it, so it would make one
 * definition look different per protocol revision.
 * Synchronous (`node:crypto`, which workerd has under `nodejs_compat`), because the gate
 * filters lists inside a streaming rewrite that cannot wait.
 */
import { createHash } from 'node:crypto';

/**
 * JSON text with object keys sorted at every level.
 *
 * @example
 * ```ts
 * canonicalJson({ b: 1, a: { d: 2, c: 3 } }); // '{"a":{"c":3,"d":2},"b":1}'
 * ```
 */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item ?? null)).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.keys(value)
      .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * `sha256:<hex>` of a definition's canonical JSON.
 *
 * @example
 * ```ts
 * definitionDigest({ name: 'echo', inputSchema: { type: 'object' } }); // 'sha256:…'
 * ```
 */
export function definitionDigest(definition: unknown): string {
  const covered =
    typeof definition === 'object' && definition !== null && !Array.isArray(definition) && 'execution' in definition
      ? { ...definition, execution: undefined }
      : definition;
  return `sha256:${createHash('sha256').update(canonicalJson(covered)).digest('hex')}`;
}
