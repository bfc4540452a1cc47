/**
 * The keys the approval feature signs with, each derived from `COOKIE_SIGNING_KEY` under its own
 * label: a `requestState` the gateway minted, an approval page address, an approver's session
 * cookie and the page's form token. `COOKIE_SIGNING_KEY` never leaves the Worker (the container
 * gets only its identity key, docs/security.md 20), and one label per purpose means a value signed
 * for one purpose never verifies as another (a session cookie is not a `requestState`).
 */
import { derivedHmacKey } from '../derived-key.ts';
import { fromBase64url, toBase64url } from '../base64url.ts';

/** What a signature is for; each purpose has its own key. */
export type SigningPurpose = 'request-state' | 'approval-ref' | 'approver-session' | 'approver-form';

const encoder = new TextEncoder();

/**
 * The HMAC-SHA256 of `text` for `purpose`, as base64url (43 characters).
 *
 * @example
 * ```ts
 * const mac = await signFor(config.cookieSecret, 'approval-ref', 'abc.def');
 * ```
 */
export async function signFor(secret: string, purpose: SigningPurpose, text: string): Promise<string> {
  const mac = await crypto.subtle.sign('HMAC', await keyFor(secret, purpose), encoder.encode(text));
  return toBase64url(new Uint8Array(mac));
}

/**
 * Whether `mac` is the signature of `text` for `purpose` (compared in constant time by WebCrypto).
 *
 * @example
 * ```ts
 * if (!(await verifyFor(config.cookieSecret, 'approval-ref', text, mac))) return notFound();
 * ```
 */
export async function verifyFor(secret: string, purpose: SigningPurpose, text: string, mac: string): Promise<boolean> {
  const bytes = fromBase64url(mac);
  if (!bytes || bytes.length !== 32) return false;
  return crypto.subtle.verify('HMAC', await keyFor(secret, purpose), bytes, encoder.encode(text));
}

function keyFor(secret: string, purpose: SigningPurpose): Promise<CryptoKey> {
  return derivedHmacKey(secret, `secure-mcp approvals ${purpose} key v1`);
}
