/**
 * An MCP SDK OAuth client that signs in without a person, so an SDK client can be connected to the
 * gateway end to end in a script or a test.
 */
import { signInThroughGateway } from './gateway-sign-in.ts';
import { InMemoryOAuthClient } from './in-memory-oauth-client.ts';

/** The loopback redirect URI scripted clients register; nothing listens there, the code is read off the redirect. */
const SCRIPTED_REDIRECT_URI = 'http://localhost:33418/oauth/callback';

/**
 * An MCP SDK `OAuthClientProvider` that signs in without a person: when the SDK asks
 * to open the browser, it plays the browser with `signInThroughGateway` as `email` and
 * keeps the authorization code for `transport.finishAuth(code)`.
 *
 * @example
 * ```ts
 * const oauth = new ScriptedOAuthClient('alice@example.com');
 * const transport = new StreamableHTTPClientTransport(new URL(mcpUrl), { authProvider: oauth });
 * await client.connect(transport).catch(() => transport.finishAuth(oauth.takeAuthorizationCode()));
 * ```
 */
export class ScriptedOAuthClient extends InMemoryOAuthClient {
  #code: string | undefined;
  #failure: string | undefined;

  constructor(
    readonly email: string,
    clientName = 'secure-mcp scripted client',
  ) {
    super(SCRIPTED_REDIRECT_URI, clientName);
  }

  async redirectToAuthorization(authorizationUrl: URL): Promise<void> {
    this.#code = undefined;
    this.#failure = undefined;
    const expectedState = authorizationUrl.searchParams.get('state');
    const result = await signInThroughGateway(authorizationUrl, this.email);
    if (result.outcome === 'refused') {
      this.#failure = `Access refused ${this.email} (HTTP ${result.status})`;
      return;
    }
    if (result.outcome === 'failed') {
      this.#failure = `sign-in failed at the ${result.step} (HTTP ${result.status})`;
      return;
    }
    const params = result.redirect.searchParams;
    if (params.get('error'))
      this.#failure = `the gateway answered ${params.get('error')}: ${params.get('error_description') ?? ''}`;
    else if (expectedState !== null && params.get('state') !== expectedState)
      this.#failure = 'the state returned to the client does not match';
    else this.#code = params.get('code') ?? undefined;
  }

  /** The authorization code of the last sign-in; throws with the reason when there is none. */
  takeAuthorizationCode(): string {
    const code = this.#code;
    this.#code = undefined;
    if (!code) throw new Error(this.#failure ?? 'no sign-in has happened yet');
    return code;
  }

  /** Why the last sign-in produced no code, if it did not. */
  get failure(): string | undefined {
    return this.#failure;
  }
}
