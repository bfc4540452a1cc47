/**
 * Tokens for a dev user in one call, fetched the way a real MCP client does: the quickest honest
 * way for `npm run dev:token`, the benchmarks and the tests to get a bearer token.
 */
import { auth } from '@modelcontextprotocol/sdk/client/auth.js';
import type { OAuthTokens } from '@modelcontextprotocol/sdk/shared/auth.js';
import { ScriptedOAuthClient } from './scripted-oauth-client.ts';

/**
 * Obtains tokens for `mcpUrl` as `email` the way an MCP client does (discovery from the
 * `401`, dynamic registration, PKCE S256, `resource`), with the browser step scripted.
 *
 * @example
 * ```ts
 * const { access_token } = await obtainTokens('http://localhost:8788/mcp', 'alice@example.com');
 * ```
 */
export async function obtainTokens(mcpUrl: string, email: string): Promise<OAuthTokens> {
  const client = new ScriptedOAuthClient(email, 'secure-mcp dev:token');
  const first = await auth(client, { serverUrl: mcpUrl });
  if (first === 'AUTHORIZED') return client.tokens()!;
  const second = await auth(client, { serverUrl: mcpUrl, authorizationCode: client.takeAuthorizationCode() });
  const tokens = client.tokens();
  if (second !== 'AUTHORIZED' || !tokens) throw new Error('the token exchange did not complete');
  return tokens;
}
