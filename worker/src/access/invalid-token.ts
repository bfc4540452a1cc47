/**
 * The answer to a bearer token that is not (or no longer) good on `/mcp`, in the provider's own
 * form (RFC 6750 §3 with the RFC 9728 `resource_metadata`), so a client reacts to it as to any other
 * `401`: it refreshes, and when that fails, signs in again.
 */

/**
 * @example
 * ```ts
 * return invalidTokenResponse(config.publicUrl, 'The grant was revoked');
 * ```
 */
export function invalidTokenResponse(publicUrl: string, description = 'Invalid access token'): Response {
  return Response.json(
    { error: 'invalid_token', error_description: description },
    {
      status: 401,
      headers: {
        'WWW-Authenticate': `Bearer error="invalid_token", resource_metadata="${publicUrl}/.well-known/oauth-protected-resource/mcp"`,
      },
    },
  );
}
