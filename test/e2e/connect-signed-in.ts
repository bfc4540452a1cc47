/**
 * The sign-in dance every SDK v1 client test goes through, in one place: the first connect gets
 * 401 (the SDK throws `UnauthorizedError` after sending the person to `/authorize`), the scripted
 * person signs in, the transport finishes the authorization with the code, and a new transport
 * connects with the token. Anything else on the first connect fails the test with what happened.
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import type { ScriptedOAuthClient } from '../../dev/client/scripted-oauth-client.ts';

/** A client transport that can finish an authorization (Streamable HTTP or the old SSE). */
interface SignInTransport {
  finishAuth(authorizationCode: string): Promise<void>;
}

/**
 * Connects a client through the sign-in; resolves with the signed-in client and transport.
 * `newClient` is asked again for the second connect (an SSE client stays attached to its dead
 * first transport), so pass a factory, not one client.
 *
 * @example
 * ```ts
 * const oauth = new ScriptedOAuthClient('alice@example.com', 'e2e');
 * const { client } = await connectSignedIn(oauth, {
 *   newClient: () => new Client({ name: 'e2e', version: '1.0.0' }),
 *   newTransport: () => new StreamableHTTPClientTransport(new URL(stack.mcpUrl), { authProvider: oauth }),
 * });
 * ```
 */
export async function connectSignedIn<T extends SignInTransport & Parameters<Client['connect']>[0]>(
  oauth: ScriptedOAuthClient,
  steps: { newClient: () => Client; newTransport: () => T },
): Promise<{ client: Client; transport: T }> {
  const firstTry = steps.newTransport();
  const refusal = await steps
    .newClient()
    .connect(firstTry)
    .then(
      () => new Error('the first connect succeeded without a sign-in'),
      (error: unknown) => (error instanceof UnauthorizedError ? undefined : error),
    );
  if (refusal !== undefined) throw refusal;
  await firstTry.finishAuth(oauth.takeAuthorizationCode());
  const client = steps.newClient();
  const transport = steps.newTransport();
  await client.connect(transport);
  return { client, transport };
}
