/**
 * A desktop MCP client's side of the browser sign-in, as a test needs it: a loopback
 * redirect URI that really listens (so the browser "lands back in the client"), and the
 * MCP SDK's OAuth steps (discovery, registration, PKCE S256, `resource`) up to the
 * authorization URL, then the code exchange.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { auth } from '@modelcontextprotocol/sdk/client/auth.js';
import type { OAuthTokens } from '@modelcontextprotocol/sdk/shared/auth.js';
import { InMemoryOAuthClient } from '../../dev/client/in-memory-oauth-client.ts';
import { escapeHtml } from '../../worker/src/pages/html.ts';

/** What arrived at the client's redirect URI. */
export interface ClientCallback {
  code: string | null;
  state: string | null;
  error: string | null;
  errorDescription: string | null;
}

/** Title of the page the client shows after a successful sign-in. */
export const SIGNED_IN_TITLE = 'Signed in to secure-mcp';
/** Title of the page the client shows when the sign-in ended with an OAuth error. */
export const SIGN_IN_FAILED_TITLE = 'Sign-in did not complete';

/**
 * An MCP client listening on `http://localhost:<port>/callback`.
 *
 * @example
 * ```ts
 * const client = await LoopbackClient.start(mcpUrl, 'Acme Desktop');
 * await page.goto(await client.authorizationUrl());
 * // … the person approves and signs in …
 * const tokens = await client.exchange((await client.callback).code!);
 * await client.close();
 * ```
 */
export class LoopbackClient extends InMemoryOAuthClient {
  #authorizationUrl: URL | undefined;
  #resolveCallback!: (callback: ClientCallback) => void;
  #callbackArrived = false;
  /** Resolves with the first request to the redirect URI. */
  readonly callback: Promise<ClientCallback>;

  private constructor(
    readonly mcpUrl: string,
    clientName: string,
    redirectUrl: string,
    readonly server: Server,
  ) {
    super(redirectUrl, clientName);
    this.callback = new Promise((resolve) => (this.#resolveCallback = resolve));
    server.on('request', (request, response) => {
      const url = new URL(request.url ?? '/', redirectUrl);
      if (url.pathname !== new URL(redirectUrl).pathname) {
        response.writeHead(404).end();
        return;
      }
      const callback: ClientCallback = {
        code: url.searchParams.get('code'),
        state: url.searchParams.get('state'),
        error: url.searchParams.get('error'),
        errorDescription: url.searchParams.get('error_description'),
      };
      this.#callbackArrived = true;
      this.#resolveCallback(callback);
      const title = callback.error ? SIGN_IN_FAILED_TITLE : SIGNED_IN_TITLE;
      const detail = callback.error
        ? `${callback.error}: ${callback.errorDescription ?? ''}`
        : 'You can close this window.';
      response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      response.end(`<!doctype html><title>${title}</title><h1>${title}</h1><p id="detail">${escapeHtml(detail)}</p>`);
    });
  }

  /** Starts listening on a free loopback port. */
  static async start(mcpUrl: string, clientName: string): Promise<LoopbackClient> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    return new LoopbackClient(mcpUrl, clientName, `http://localhost:${port}/callback`, server);
  }

  redirectToAuthorization(authorizationUrl: URL) {
    this.#authorizationUrl = authorizationUrl;
  }

  /** Registers the client and returns the URL a browser opens to sign in. */
  async authorizationUrl(): Promise<string> {
    const result = await auth(this, { serverUrl: this.mcpUrl });
    if (result !== 'REDIRECT' || !this.#authorizationUrl) throw new Error(`expected a browser sign-in, got ${result}`);
    return this.#authorizationUrl.href;
  }

  /** Whether the browser has come back to the redirect URI. */
  get callbackArrived(): boolean {
    return this.#callbackArrived;
  }

  /** The state the client sent, to check against what came back. */
  get sentState(): string | null {
    return this.#authorizationUrl?.searchParams.get('state') ?? null;
  }

  /** Exchanges the authorization code for tokens. */
  async exchange(code: string): Promise<OAuthTokens> {
    const result = await auth(this, { serverUrl: this.mcpUrl, authorizationCode: code });
    const tokens = this.tokens();
    if (result !== 'AUTHORIZED' || !tokens) throw new Error('the token exchange did not complete');
    return tokens;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
