/**
 * The path a real user's call takes: through the local stack's Worker (token check, policy, audit)
 * and on to the bridge, signed in once as a client would be.
 */
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { obtainTokens } from '../../dev/client/obtain-tokens.ts';
import { connectBenchClient, ECHO_CALL, type BenchClient, type EchoPath, type ToolCall } from './echo-path.ts';

/** Where the local stack's Worker answers. */
export interface GatewayUrls {
  mcpUrl: string;
  workerUrl: string;
}

/** The signed-in user every gateway row calls as. */
export const BENCH_USER = 'alice@example.com';

/**
 * The whole local stack: `wrangler dev` (OAuth token check, the `/mcp` pipeline) in front
 * of the bridge. Signs in once, as a real client would, and every client reuses the token
 * with a session of its own.
 *
 * @example
 * ```ts
 * const path = await wholeStackPath(stack);
 * const client = await path.openClient();
 * ```
 */
export async function wholeStackPath(stack: GatewayUrls, user = BENCH_USER): Promise<EchoPath> {
  const { access_token } = await obtainTokens(stack.mcpUrl, user);
  return {
    id: 'local-stack',
    label: 'whole local stack (wrangler dev + bridge)',
    openClient: () => connectWithToken(stack.mcpUrl, access_token),
    // The stack belongs to the caller, who also measures other things with it.
    stop: async () => {},
  };
}

/**
 * Native tools: a tool inside the Worker at `/mcp/native`, no bridge hop. The token is
 * bound to the resource `/mcp`, so the native endpoint gets its own sign-in.
 */
export async function nativeToolsPath(stack: GatewayUrls, tool: ToolCall = ECHO_CALL): Promise<EchoPath> {
  const url = `${stack.workerUrl}/mcp/native`;
  const { access_token } = await obtainTokens(url, BENCH_USER);
  return {
    id: 'native',
    label: 'native tool (wrangler dev, no bridge)',
    openClient: () => connectWithToken(url, access_token, tool),
    stop: async () => {},
  };
}

/**
 * A bench client on a session of its own at `url`, sending `accessToken` as its bearer token.
 *
 * @example
 * ```ts
 * const client = await connectWithToken('http://localhost:8788/mcp', access_token, ADD_CALL);
 * await client.call();
 * ```
 */
export function connectWithToken(url: string, accessToken: string, tool: ToolCall = ECHO_CALL): Promise<BenchClient> {
  const transport = new StreamableHTTPClientTransport(new URL(url), {
    requestInit: { headers: { Authorization: `Bearer ${accessToken}` } },
  });
  return connectBenchClient(transport, tool);
}
