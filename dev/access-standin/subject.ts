/**
 * The stable user id the stand-in gives each email, shaped like Access's own, so the Worker's per-
 * user state is keyed locally the way it is in production.
 */
import { createHash } from 'node:crypto';

/**
 * The `sub` the stand-in issues for an email: an opaque UUID like Access's user ids,
 * derived from the lowercased email (RFC 9562 version 8, from SHA-256), so it stays the
 * same across restarts and machines and the Worker can key per-user state on it.
 *
 * @example
 * ```ts
 * accessSubjectFor('Alice@example.com') === accessSubjectFor('alice@example.com'); // true
 * ```
 */
export function accessSubjectFor(email: string): string {
  const bytes = createHash('sha256').update(`secure-mcp dev user ${email.toLowerCase()}`).digest().subarray(0, 16);
  bytes.writeUInt8((bytes.readUInt8(6) & 0x0f) | 0x80, 6); // version 8 (custom)
  bytes.writeUInt8((bytes.readUInt8(8) & 0x3f) | 0x80, 8); // RFC 9562 variant
  const hex = bytes.toString('hex');
  return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join('-');
}
