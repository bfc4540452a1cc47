/**
 * The user id the OAuth provider files a person's grants under. The provider writes it into every
 * authorization code and token it issues (`<userId>:<grantId>:<secret>`), and those travel in
 * client URLs, histories and logs, so it must not be the email address (docs/security.md 9). It is
 * a keyed hash of the lower-cased email instead: opaque to anyone without the Worker's key, stable
 * for as long as the email is (Access's `sub` is not: it changes when a person is removed and
 * added again), and computable from the email alone, so offboarding by email needs no index.
 *
 * The key is derived from `COOKIE_SIGNING_KEY`, which never leaves the Worker. Rotating that secret
 * changes every user id: grants issued before can then no longer be listed by email (they still
 * end within 24 h, and the revocation mark, checked by email, still stops them).
 */
import { toBase64url } from '../base64url.ts';
import { derivedHmacKey } from '../derived-key.ts';

const encoder = new TextEncoder();
/** The user-id key's own label, so no other use of the secret shares it. */
const USER_ID_KEY_LABEL = 'secure-mcp user id key v1';
/** Ids computed in this isolate (every `/mcp` request asks for one), by secret and email. */
const computed = new Map<string, string>();
const MAX_COMPUTED = 1_000;

/**
 * The opaque user id of an email address: `u-` and 22 characters of base64url (128 bits).
 *
 * @example
 * ```ts
 * await userIdOf('Alice@Example.com', config.cookieSecret); // 'u-3q2-7wAx…' (the same for alice@example.com)
 * ```
 */
export async function userIdOf(email: string, secret: string): Promise<string> {
  const normalized = email.trim().toLowerCase();
  const memo = `${secret}\n${normalized}`;
  const known = computed.get(memo);
  if (known) return known;
  const mac = await crypto.subtle.sign(
    'HMAC',
    await derivedHmacKey(secret, USER_ID_KEY_LABEL),
    encoder.encode(normalized),
  );
  const userId = `u-${toBase64url(new Uint8Array(mac, 0, 16))}`;
  if (computed.size >= MAX_COMPUTED) computed.delete(computed.keys().next().value!);
  computed.set(memo, userId);
  return userId;
}
