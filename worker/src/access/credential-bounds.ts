/**
 * Keeps a client id or token too long for the OAuth provider to look up (KV refuses keys over
 * 512 bytes) from becoming a 500: such a request gets the refusal a client understands.
 */
import { errorPage } from '../pages/error-page.ts';
import { readBodyAtMost } from '../read-body-at-most.ts';
import { invalidTokenResponse } from './invalid-token.ts';

/**
 * Bounds on the credentials a request names, checked before the OAuth provider sees it.
 *
 * The provider looks a client id or token up in KV by a key built from it, and KV refuses a key
 * over 512 bytes by throwing, which surfaces as a 500 (found by `npm run fuzz`). Nothing we issue
 * comes near these limits: client ids are 16 characters, and a token is
 * `<user id>:<16 chars>:<32 chars>`, with a user id of 24 (`access/user-id.ts`; grants from
 * before it used the email, at most 254).
 */
const MAX_CLIENT_ID_LENGTH = 128;
const MAX_TOKEN_LENGTH = 400;
/** The token endpoint's form is a few hundred bytes; this is generous. */
const MAX_TOKEN_FORM_BYTES = 16 * 1024;
const TOKEN_FIELDS = ['code', 'refresh_token', 'token', 'subject_token'];

/**
 * Refuses a request whose client id or token is too long to be one we issued, the way each
 * endpoint refuses a wrong one (a page at `/authorize`, an OAuth error at `/token`, a Bearer
 * challenge on `/mcp`); `undefined` lets it through. A token request's form is read here (within
 * its bound) and handed on in `request`, so the body is read once, never half.
 *
 * @example
 * ```ts
 * const checked = await refuseOversizedCredentials(request, config.publicUrl);
 * if (checked.refused) return checked.refused;
 * return provider.fetch(checked.request, env, ctx);
 * ```
 */
export async function refuseOversizedCredentials(
  request: Request,
  publicUrl: string,
): Promise<{ refused: Response; request?: undefined } | { refused?: undefined; request: Request }> {
  const url = new URL(request.url);
  if (url.pathname === '/authorize') {
    const tooLong = url.searchParams.getAll('client_id').some((id) => id.length > MAX_CLIENT_ID_LENGTH);
    return tooLong
      ? {
          refused: errorPage(
            400,
            'This sign-in request cannot continue',
            'The app identified itself with an invalid client ID. Start again from your MCP client.',
          ),
        }
      : { request };
  }
  if (url.pathname === '/token' && request.method === 'POST') return checkTokenRequest(request);
  if (url.pathname === '/mcp' || url.pathname.startsWith('/mcp/')) {
    const authorization = request.headers.get('Authorization') ?? '';
    if (authorization.length <= MAX_TOKEN_LENGTH + 'Bearer '.length) return { request };
    return { refused: invalidTokenResponse(publicUrl) };
  }
  return { request };
}

async function checkTokenRequest(
  request: Request,
): Promise<{ refused: Response; request?: undefined } | { refused?: undefined; request: Request }> {
  const basic = /^Basic\s+(.+)$/i.exec(request.headers.get('Authorization') ?? '')?.[1];
  if (basic && basic.length > 4 * MAX_CLIENT_ID_LENGTH)
    return { refused: oauthError('invalid_client', 'Invalid client credentials', 401) };
  const type = (request.headers.get('Content-Type') ?? '').toLowerCase();
  if (!type.startsWith('application/x-www-form-urlencoded')) return { request }; // the provider refuses other bodies itself
  const bytes = await readBodyAtMost(request, MAX_TOKEN_FORM_BYTES);
  if (bytes === undefined) return { refused: oauthError('invalid_request', 'The request body is too large', 413) };
  const form = new URLSearchParams(new TextDecoder().decode(bytes));
  if (form.getAll('client_id').some((id) => id.length > MAX_CLIENT_ID_LENGTH))
    return { refused: oauthError('invalid_client', 'Invalid client credentials', 401) };
  if (TOKEN_FIELDS.some((field) => form.getAll(field).some((value) => value.length > MAX_TOKEN_LENGTH))) {
    return { refused: oauthError('invalid_grant', 'The grant is invalid', 400) };
  }
  return { request: new Request(request, { method: request.method, body: bytes }) };
}

function oauthError(error: string, description: string, status: number): Response {
  return Response.json({ error, error_description: description }, { status, headers: { 'Cache-Control': 'no-store' } });
}
