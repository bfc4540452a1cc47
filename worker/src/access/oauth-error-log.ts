/**
 * Makes the OAuth provider's refusals visible in the logs by the check that made them, so an
 * operator can see an attack or a broken client without anything secret being written.
 */
import type { OAuthErrorInternal } from '@cloudflare/workers-oauth-provider';

/**
 * The provider's `onError` hook: one structured line per OAuth error it answers (a refused
 * registration, a replayed code, a wrong PKCE verifier, a token for another resource...), so
 * an attack shows up in the logs by the exact check that stopped it. Only the stable slugs and
 * the public code go out: never the request, its body, a token or `internal.detail`.
 * Returns nothing, so the provider's RFC-formatted response is sent unchanged.
 *
 * @example
 * ```ts
 * new OAuthProvider({ ...options, onError: logOAuthError });
 * ```
 */
export function logOAuthError(error: {
  code: string;
  status: number;
  internal: OAuthErrorInternal;
  request?: Request;
}): void {
  const path = error.request ? new URL(error.request.url).pathname : undefined;
  console.warn(
    JSON.stringify({
      event: 'oauth.error',
      code: error.code,
      status: error.status,
      category: error.internal.category,
      reason: error.internal.reason,
      path,
    }),
  );
}
