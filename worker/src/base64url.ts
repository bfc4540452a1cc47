/**
 * base64url without padding (RFC 4648 §5), for the tokens the approval feature puts in URLs,
 * cookies and `requestState`: text that survives every one of those places unescaped.
 */

/**
 * Encodes bytes (or UTF-8 text) as base64url without padding.
 *
 * @example
 * ```ts
 * toBase64url(new Uint8Array([251, 255])); // '-_8'
 * ```
 */
export function toBase64url(input: Uint8Array | string): string {
  const bytes = typeof input === 'string' ? new TextEncoder().encode(input) : input;
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * Decodes base64url (padding optional); `undefined` for anything that is not base64url, and for
 * text that is not the one encoding of its bytes (unused low bits set in the last character): a
 * token changed in a way that still decodes to the same bytes is a changed token, not the same one.
 *
 * @example
 * ```ts
 * fromBase64url('-_8'); // Uint8Array [251, 255]
 * fromBase64url('not base64!'); // undefined
 * ```
 */
export function fromBase64url(text: string): Uint8Array | undefined {
  if (!/^[A-Za-z0-9_-]*={0,2}$/.test(text)) return undefined;
  try {
    const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
    const bytes = Uint8Array.from(binary, (char) => char.charCodeAt(0));
    return toBase64url(bytes) === text.replace(/=+$/, '') ? bytes : undefined;
  } catch {
    return undefined;
  }
}

/** Random bytes as base64url: 16 bytes give 22 characters (128 bits). */
export function randomToken(bytes = 16): string {
  return toBase64url(crypto.getRandomValues(new Uint8Array(bytes)));
}
