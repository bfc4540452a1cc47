/**
 * What every scripted MCP client of this project needs from the SDK's OAuth client interface,
 * written once: a public loopback client that keeps its registration and tokens in memory only.
 */
import type { OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js';
import type {
  OAuthClientInformationMixed,
  OAuthClientMetadata,
  OAuthTokens,
} from '@modelcontextprotocol/sdk/shared/auth.js';

/**
 * The part of an MCP SDK `OAuthClientProvider` every client of ours shares: a public
 * client (PKCE, no secret) that registers one loopback redirect URI and keeps its
 * registration, tokens and PKCE verifier in memory only. Subclasses decide what
 * "open the browser" means.
 *
 * @example
 * ```ts
 * class PrintingClient extends InMemoryOAuthClient {
 *   redirectToAuthorization(url: URL) { console.log(`Open ${url.href}`); }
 * }
 * ```
 */
export abstract class InMemoryOAuthClient implements OAuthClientProvider {
  #client: OAuthClientInformationMixed | undefined;
  #tokens: OAuthTokens | undefined;
  #verifier = '';

  constructor(
    readonly redirectUrl: string,
    readonly clientName: string,
  ) {}

  get clientMetadata(): OAuthClientMetadata {
    return {
      client_name: this.clientName,
      redirect_uris: [this.redirectUrl],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    };
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

  abstract redirectToAuthorization(authorizationUrl: URL): void | Promise<void>;
}
