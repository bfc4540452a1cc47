/**
 * The smoke's OAuth client for the MCP SDK: registers itself (DCR) with the loopback redirect
 * URI, uses PKCE and a random state, and hands the authorization URL to whoever opens it (the
 * CLI prints it for a person; the tests sign in through the local stack).
 */
import { randomBytes } from 'node:crypto';
import type { OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js';
import type { OAuthClientInformationMixed, OAuthClientMetadata, OAuthTokens } from '@modelcontextprotocol/sdk/shared/auth.js';

/**
 * An in-memory `OAuthClientProvider`; nothing is written to disk.
 *
 * @example
 * ```ts
 * const oauth = new SmokeOAuthClient(loopback.redirectUri, async (url) => console.log(url.href));
 * ```
 */
export class SmokeOAuthClient implements OAuthClientProvider {
  #client: OAuthClientInformationMixed | undefined;
  #tokens: OAuthTokens | undefined;
  #verifier = '';
  readonly #state = randomBytes(16).toString('base64url');

  constructor(
    readonly redirectUrl: string,
    private readonly openAuthorizationUrl: (url: URL) => Promise<void>,
  ) {}

  get clientMetadata(): OAuthClientMetadata {
    return {
      client_name: 'secure-mcp smoke test',
      redirect_uris: [this.redirectUrl],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    };
  }

  /** The state this client sends; the redirect must bring it back. */
  state(): string {
    return this.#state;
  }

  clientInformation() {
    return this.#client;
  }

  saveClientInformation(client: OAuthClientInformationMixed) {
    this.#client = client;
  }

  tokens() {
    return this.#tokens;
  }

  saveTokens(tokens: OAuthTokens) {
    this.#tokens = tokens;
  }

  saveCodeVerifier(verifier: string) {
    this.#verifier = verifier;
  }

  codeVerifier() {
    return this.#verifier;
  }

  redirectToAuthorization(authorizationUrl: URL): Promise<void> {
    return this.openAuthorizationUrl(authorizationUrl);
  }
}
