/**
 * `GET /mcp/identity`: who the bearer of this token is, as the gateway sees them: the email and
 * groups its tool policies match, and the shape of every claim in the id_token Access sent at
 * sign-in (never a value of one, never a token). It is the operator's first-minute check on a
 * real account, where the shape of Access's `groups` claim and whether it echoes the nonce are
 * not documented (`npm run smoke -- <url> --show-claims` prints it; docs/deploy.md). A person
 * sees only their own identity: the token decides whose.
 */
import type { UserProps } from '../config.ts';

/** Under the `/mcp` resource, so the token a client holds for `/mcp` is valid here (as for native tools). */
const IDENTITY_PATH = '/mcp/identity';

/** The identity document: what the gateway knows about the signed-in person. */
interface IdentityDocument {
  sub: string;
  email: string;
  name: string;
  /** The group values tool policies match, as read from the `groups` claim. */
  groups: string[];
  /** Each id_token claim by name, with its shape; `null` for a grant made before shapes were kept. */
  claims: Record<string, string> | null;
}

/**
 * The identity answer for a request to {@link IDENTITY_PATH}, or `undefined` for any other path.
 *
 * @example
 * ```ts
 * const answer = identityResponse(request, user);
 * if (answer) return answer;
 * ```
 */
export function identityResponse(request: Request, user: UserProps): Response | undefined {
  if (new URL(request.url).pathname !== IDENTITY_PATH) return undefined;
  if (request.method !== 'GET')
    return new Response('Only GET is served here.\n', { status: 405, headers: { Allow: 'GET' } });
  const document: IdentityDocument = {
    sub: user.sub,
    email: user.email,
    name: user.name,
    groups: user.groups,
    claims: user.claims ?? null,
  };
  return Response.json(document, { headers: { 'Cache-Control': 'no-store' } });
}
