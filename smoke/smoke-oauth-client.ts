/**
 * The smoke's OAuth client for the MCP SDK: registers itself (DCR) with the loopback redirect
 * URI, uses PKCE and a random state, and hands the authorization URL to whoever opens it (the
 * CLI prints it for a person; the tests sign in through the local stack).
 */
import { randomBytes } from 'node:crypto';
import { InMemoryOAuthClient } from '../dev/client/in-memory-oauth-client.ts';

/**
 * An in-memory `OAuthClientProvider`; nothing is written to disk.
 *
 * @example
 * ```ts
 * const oauth = new SmokeOAuthClient(loopback.redirectUri, async (url) => console.log(url.href));
 * ```
 */
export class SmokeOAuthClient extends InMemoryOAuthClient {
  readonly #state = randomBytes(16).toString('base64url');

  constructor(
    redirectUrl: string,
    private readonly openAuthorizationUrl: (url: URL) => Promise<void>,
  ) {
    super(redirectUrl, 'secure-mcp smoke test');
  }

  /** The state this client sends; the redirect must bring it back. */
  state(): string {
    return this.#state;
  }

  redirectToAuthorization(authorizationUrl: URL): Promise<void> {
    return this.openAuthorizationUrl(authorizationUrl);
  }
}
