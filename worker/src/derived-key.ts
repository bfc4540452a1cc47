/**
 * One secret, many uses, never one key for two: each use of a Worker secret (user ids, approval
 * signatures) signs with an HMAC key derived from the secret under a label of its own, so a
 * signature made for one purpose can never pass as another's.
 */

const encoder = new TextEncoder();
/** Keys derived per label and secret, so each isolate imports and derives once. */
const derivedKeys = new Map<string, Promise<CryptoKey>>();

/**
 * The HMAC-SHA256 key for `label`, derived from `secret` (HMAC of the label under the secret).
 *
 * @example
 * ```ts
 * const key = await derivedHmacKey(config.cookieSecret, 'secure-mcp user id key v1');
 * await crypto.subtle.sign('HMAC', key, new TextEncoder().encode('alice@example.com'));
 * ```
 */
export function derivedHmacKey(secret: string, label: string): Promise<CryptoKey> {
  const memo = `${label}\n${secret}`;
  let key = derivedKeys.get(memo);
  if (!key) {
    key = (async () => {
      const parent = await crypto.subtle.importKey(
        'raw',
        encoder.encode(secret),
        { name: 'HMAC', hash: 'SHA-256' },
        false,
        ['sign'],
      );
      const child = await crypto.subtle.sign('HMAC', parent, encoder.encode(label));
      return crypto.subtle.importKey('raw', child, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
    })();
    derivedKeys.set(memo, key);
  }
  return key;
}
