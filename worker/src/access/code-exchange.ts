/**
 * The one place the Worker talks to Access's token endpoint, kept small so that Access's own
 * tokens provably stay inside it and only the id_token comes out.
 */
import type { AccessEndpoints } from '../config.ts';

/** Access's token endpoint refused or failed the code exchange. */
export class CodeExchangeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CodeExchangeError';
  }
}

/**
 * Exchanges Access's authorization code for its tokens (client_secret_post, PKCE
 * verifier). Only the id_token is kept: Access's access and refresh tokens never leave
 * this function, so they cannot reach an MCP client, the container or a log.
 *
 * @example
 * ```ts
 * const idToken = await exchangeCodeForIdToken(config.access, { code, verifier, redirectUri });
 * ```
 */
export async function exchangeCodeForIdToken(
  access: AccessEndpoints,
  params: { code: string; verifier: string; redirectUri: string },
): Promise<string> {
  let response: Response;
  try {
    response = await fetch(access.tokenUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: params.code,
        redirect_uri: params.redirectUri,
        code_verifier: params.verifier,
        client_id: access.clientId,
        client_secret: access.clientSecret,
      }),
      signal: AbortSignal.timeout(10_000),
    });
  } catch {
    throw new CodeExchangeError('Cloudflare Access could not be reached');
  }
  const body = (await response.json().catch(() => undefined)) as { id_token?: unknown; error?: unknown } | undefined;
  if (!response.ok) {
    const code = typeof body?.error === 'string' ? body.error : `HTTP ${response.status}`;
    throw new CodeExchangeError(`Cloudflare Access refused the sign-in code (${code})`);
  }
  if (typeof body?.id_token !== 'string') throw new CodeExchangeError('Cloudflare Access returned no id_token');
  return body.id_token;
}
