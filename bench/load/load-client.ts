/**
 * A person of `npm run load`: each client goes through the whole sign-in and keeps an MCP session
 * of its own, so the load test presses the gateway as many real users at once would, and can match
 * every call it sent against the audit log afterwards.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { obtainTokens } from '../../dev/client/obtain-tokens.ts';
import { argumentDigest } from '../../worker/src/mcp/gate/argument-digest.ts';

/** One signed-in client of the load test: its own sign-in, token and MCP session. */
export interface LoadClient {
  /** Calls echo until `until` (a `performance.now()` time); every call carries arguments of its own. */
  callUntil(until: number): Promise<void>;
  /** The digests of every call it sent (as the audit log writes them), one per call. */
  digests(): Promise<string[]>;
  calls: number;
  errors: number;
  firstError: string | undefined;
  close(): Promise<void>;
}

/**
 * Signs in as `email` (registration, PKCE, consent, Access stand-in: the whole flow), then
 * opens an MCP session with the token.
 *
 * @example
 * ```ts
 * const client = await openLoadClient('http://localhost:8788/mcp', 'alice@example.com', 7);
 * await client.callUntil(performance.now() + 10_000);
 * ```
 */
export async function openLoadClient(mcpUrl: string, email: string, index: number): Promise<LoadClient> {
  const { access_token } = await signInWithRetry(mcpUrl, email);
  const client = new Client({ name: `secure-mcp-load-${index}`, version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(mcpUrl), {
      requestInit: { headers: { Authorization: `Bearer ${access_token}` } },
    }),
  );
  const sent: Array<{ message: string }> = [];
  const state: LoadClient = {
    calls: 0,
    errors: 0,
    firstError: undefined,
    async callUntil(until) {
      while (performance.now() < until) {
        const args = { message: `load ${index} ${sent.length}` };
        sent.push(args);
        try {
          const result = await client.callTool({ name: 'echo', arguments: args });
          const text = (result.content as Array<{ text?: string }> | undefined)?.[0]?.text;
          if (result.isError || text !== `Echo: ${args.message}`)
            throw new Error(`unexpected answer: ${JSON.stringify(result).slice(0, 160)}`);
          state.calls += 1;
        } catch (error) {
          state.errors += 1;
          state.firstError ??= (error as Error).message;
        }
      }
    },
    digests: () => Promise.all(sent.map((args) => argumentDigest(args))),
    close: () => client.close(),
  };
  return state;
}

/**
 * Sign-in is setup, not what the load test measures: a sign-in that fails because `wrangler dev`
 * reloaded the Worker (it does when a file under worker/src changes) is tried again, twice at most.
 */
async function signInWithRetry(mcpUrl: string, email: string) {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await obtainTokens(mcpUrl, email);
    } catch (error) {
      if (attempt >= 3)
        throw new Error(`sign-in of ${email} failed 3 times: ${(error as Error).message.split('\n')[0]}`, {
          cause: error,
        });
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
  }
}
