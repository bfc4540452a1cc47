import type { WorkerConfig } from '../config.ts';

/**
 * `POST /admin/revoke-user` (offboarding, docs/security.md 9): revokes every grant of one user, with
 * their access and refresh tokens, so each MCP client they signed in must sign in again, which
 * Access then refuses. Grants are stored under the user's lower-cased email (see
 * `access/callback.ts`), the key an operator knows.
 *
 * Guarded by its own secret, `ADMIN_TOKEN`, sent as a bearer token; without that binding the
 * route does not exist (404). The body is `{"email":"alice@example.com"}`; the answer says how
 * many grants were revoked.
 *
 * @example
 * ```sh
 * curl -X POST https://mcp.example.com/admin/revoke-user -H "Authorization: Bearer $ADMIN_TOKEN" \
 *   -H 'Content-Type: application/json' -d '{"email":"alice@example.com"}'
 * # {"email":"alice@example.com","revokedGrants":2}
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

  // List every page first, then revoke: deleting while paging could shift the cursor.
  const grantIds: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await env.OAUTH_PROVIDER.listUserGrants(email, { cursor, limit: 1000 });
    grantIds.push(...page.items.map((grant) => grant.id));
    cursor = page.cursor;
  } while (cursor);
  for (const grantId of grantIds) await env.OAUTH_PROVIDER.revokeGrant(grantId, email);
  const revokedGrants = grantIds.length;
  console.log(JSON.stringify({ event: 'admin.revoke_user', email, revokedGrants }));
  return Response.json({ email, revokedGrants });
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
