/**
 * PKCE (RFC 7636) toward Access: a fresh verifier per sign-in and its S256 challenge.
 *
 * @example
 * ```ts
 * const verifier = createCodeVerifier();
 * const challenge = await s256Challenge(verifier);
 * ```
 */
export function createCodeVerifier(): string {
  return base64url(crypto.getRandomValues(new Uint8Array(32)));
}

/** The S256 code challenge of a verifier. */
export async function s256Challenge(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return base64url(new Uint8Array(digest));
}

/** A random nonce that binds the id_token to this sign-in. */
export function createNonce(): string {
  return base64url(crypto.getRandomValues(new Uint8Array(24)));
}

function base64url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
