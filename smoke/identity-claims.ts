/**
 * `npm run smoke -- <url> --show-claims`: the first-minute check on a real account. What
 * Cloudflare does not document about Access's id_token (the shape of `groups` per identity
 * provider, whether the nonce comes back) is seen here, on the operator's own sign-in: the
 * gateway's `GET /mcp/identity` gives the email and groups its tool policies match, and the
 * name and shape of every claim Access sent. Never a token, never a claim's value.
 */

/** The answer of `GET /mcp/identity` (`worker/src/mcp/identity-route.ts`). */
export interface GatewayIdentity {
  sub: string;
  email: string;
  name: string;
  groups: string[];
  claims: Record<string, string> | null;
}

/**
 * The signed-in person as the gateway sees them.
 *
 * @example
 * ```ts
 * const identity = await fetchIdentity('https://mcp.example.com/mcp', tokens.access_token);
 * ```
 */
export async function fetchIdentity(mcpUrl: string, accessToken: string): Promise<GatewayIdentity> {
  const response = await fetch(`${mcpUrl.replace(/\/$/, '')}/identity`, {
    headers: { Authorization: `Bearer ${accessToken}` },
  });
  if (response.status !== 200)
    throw new Error(
      `GET ${mcpUrl}/identity answered ${response.status}; a gateway older than this smoke test has no identity route`,
    );
  return (await response.json()) as GatewayIdentity;
}

/**
 * What an operator reads: the values tool policies match, the shape of each claim, and what
 * to do about what is missing.
 *
 * @example
 * ```ts
 * console.log(renderClaims(identity));
 * ```
 */
export function renderClaims(identity: GatewayIdentity): string {
  const lines = [
    'Your sign-in, as the gateway sees it (no token, and no claim value but the two it matches):',
    `  email   ${identity.email}`,
    `  groups  ${identity.groups.length > 0 ? identity.groups.join(', ') : '(none)'}`,
    '          These are the values `group:` rules in policies/tools.yaml must name, exactly.',
  ];
  if (!identity.claims) {
    lines.push('  The id_token claims of this grant were not kept (a grant from an older gateway); sign in again.');
    return lines.join('\n');
  }
  const width = Math.max(...Object.keys(identity.claims).map((name) => name.length));
  lines.push('', 'Claims in the id_token Access sent (name: shape):');
  for (const [name, shape] of Object.entries(identity.claims)) lines.push(`  ${name.padEnd(width)}  ${shape}`);
  lines.push('', ...hints(identity.claims).map((hint) => `- ${hint}`));
  return lines.join('\n');
}

function hints(claims: Record<string, string>): string[] {
  const found: string[] = [];
  const groups = claims.groups;
  if (groups === undefined)
    found.push(
      'No groups claim: group rules in policies/tools.yaml match nothing for anyone signing in this way. Check the Access application has the groups scope, and the identity provider sends groups (Entra ID: "Support groups"; Okta: the groups claim filter; generic OIDC: the groups claim registered). One-time PIN has no groups.',
    );
  else if (groups.includes('object'))
    found.push(
      `Groups arrive as objects (${groups}); the gateway matches the field the stack's groupsClaimField names ( default: id for Entra ID, email for Google Workspace, name otherwise).`,
    );
  else found.push(`Groups arrive as ${groups}: each is matched exactly as written.`);
  found.push(
    claims.nonce === undefined
      ? 'No nonce: this Access does not return it. The stack must run with accessNonce=if-present (it does, or this sign-in would have been refused); state, PKCE and the browser binding still protect the sign-in (docs/security.md).'
      : 'The nonce came back: keep accessNonce=required (the default).',
  );
  if (claims.name === undefined) found.push('No name claim: the gateway shows the email instead.');
  return found;
}
