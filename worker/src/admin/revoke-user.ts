/**
 * Offboarding: the operator's route that ends everything one person holds (grants, tokens, open
 * sessions) and marks them revoked, so a refresh racing the sweep cannot bring access back.
 */
import { userIdOf } from '../access/user-id.ts';
import { REFRESH_TOKEN_TTL_SECONDS } from '../access/token-lifetimes.ts';
import type { WorkerConfig } from '../config.ts';
import { markRevoked } from './revocation-mark.ts';

/**
 * How long KV may take to show a write everywhere ("up to 60 seconds or more",
 * https://developers.cloudflare.com/kv/concepts/how-kv-works/): `npm run revoke-user` sweeps again
 * after this, for grants a refresh wrote back at a location that had not yet seen the first sweep.
 */
const SECOND_SWEEP_AFTER_SECONDS = 60;

/**
 * `POST /admin/revoke-user` (offboarding, docs/security.md 9 and 19): ends every grant of one user,
 * with their access and refresh tokens, so each MCP client they signed in must sign in again, which
 * Access then refuses. First a revocation mark (every grant signed in before it is dead wherever it
 * is seen, however a refresh raced this request; the user's open streams and calls end when they
 * next look at it), then the deletion of every grant. Grants are filed under an
 * opaque id derived from the user's email (`access/user-id.ts`), so the email is all an operator
 * needs. (Grants filed under the plain email by earlier versions are not listed here; the mark, found
 * by the email in their props, stops them all the same, and they expire within 24 h of an upgrade.)
 *
 * Guarded by its own secret, `ADMIN_TOKEN`, sent as a bearer token; without that binding the
 * route does not exist (404). The body is `{"email":"alice@example.com"}`; the answer says how
 * many grants were revoked, and when to sweep again. Calling it again is harmless.
 *
 * @example
 * ```sh
 * curl -X POST https://mcp.example.com/admin/revoke-user -H "Authorization: Bearer $ADMIN_TOKEN" \
 *   -H 'Content-Type: application/json' -d '{"email":"alice@example.com"}'
 * # {"email":"alice@example.com","revokedGrants":2,"secondSweepAfterSeconds":60}
 * ```
 */
export async function revokeUser(request: Request, env: Cloudflare.Env, config: WorkerConfig): Promise<Response> {
  if (!config.adminToken) return plain(404, 'Not found');
  if (request.method !== 'POST') return new Response('Method Not Allowed', { status: 405, headers: { Allow: 'POST' } });
  if (!(await bearerMatches(request, config.adminToken))) {
    return plain(401, 'A valid operator token is required', { 'WWW-Authenticate': 'Bearer realm="secure-mcp-admin"' });
  }
  const email = await readEmail(request);
  if (!email) return plain(400, 'Send a JSON body like {"email":"alice@example.com"}');

  const userId = await userIdOf(email, config.cookieSecret);
  await markRevoked(env.OAUTH_KV, userId, Date.now(), REFRESH_TOKEN_TTL_SECONDS);
  const revokedGrants = await revokeGrantsOf(env, userId);
  console.log(JSON.stringify({ event: 'admin.revoke_user', email, revokedGrants }));
  return Response.json({ email, revokedGrants, secondSweepAfterSeconds: SECOND_SWEEP_AFTER_SECONDS });
}

/** Lists every page first, then revokes: deleting while paging could shift the cursor. */
async function revokeGrantsOf(env: Cloudflare.Env, userId: string): Promise<number> {
  const grantIds: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await env.OAUTH_PROVIDER.listUserGrants(userId, { cursor, limit: 1000 });
    grantIds.push(...page.items.map((grant) => grant.id));
    cursor = page.cursor;
  } while (cursor);
  for (const grantId of grantIds) await env.OAUTH_PROVIDER.revokeGrant(grantId, userId);
  return grantIds.length;
}

/** Compares digests, so the time taken says nothing about how much of the token was right. */
async function bearerMatches(request: Request, expected: string): Promise<boolean> {
  const header = request.headers.get('Authorization') ?? '';
  const presented = header.startsWith('Bearer ') ? header.slice('Bearer '.length) : '';
  const [a, b] = await Promise.all([sha256(presented), sha256(expected)]);
  let difference = 0;
  for (let i = 0; i < a.length; i += 1) difference |= a[i]! ^ b[i]!;
  return presented !== '' && difference === 0;
}

async function sha256(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
}

async function readEmail(request: Request): Promise<string | undefined> {
  const text = await request.text().catch(() => '');
  if (text.length > 1024) return undefined;
  try {
    const { email } = JSON.parse(text) as { email?: unknown };
    const valid = typeof email === 'string' && email.length <= 254 && /^[^\s@:]+@[^\s@:]+$/.test(email);
    return valid ? email.toLowerCase() : undefined;
  } catch {
    return undefined;
  }
}

function plain(status: number, message: string, headers: Record<string, string> = {}): Response {
  return new Response(`${message}\n`, {
    status,
    headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store', ...headers },
  });
}
