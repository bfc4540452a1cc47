/**
 * The MCP TypeScript SDK v2 (`@modelcontextprotocol/client`) through the whole local
 * stack: it signs in by itself (discovery from the 401, registration, PKCE), then talks
 * the stateless 2026-07-28 revision (`server/discover`, no initialize, `Mcp-Method` and
 * `Mcp-Name` headers on every POST), and, in its default posture, the sessionful one.
 */
import {
  Client,
  StreamableHTTPClientTransport,
  UnauthorizedError,
  type FetchLike,
  type OAuthDiscoveryState,
} from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signInThroughGateway } from '../../../dev/client/gateway-sign-in.ts';
import { ScriptedOAuthClient } from '../../../dev/client/scripted-oauth-client.ts';
import { startPrivateStack } from '../../../dev/stack/private-stack.ts';

let stack: Awaited<ReturnType<typeof startPrivateStack>>;
let oauth: V2ScriptedOAuthClient;

/**
 * The scripted sign-in, keeping the whole redirect back to the client: SDK v2 checks the
 * `iss` parameter there (RFC 9207) before it redeems the code, and stores what it
 * discovered between the two legs.
 */
class V2ScriptedOAuthClient extends ScriptedOAuthClient {
  callbackParams: URLSearchParams | undefined;
  #discoveryState: OAuthDiscoveryState | undefined;

  override async redirectToAuthorization(authorizationUrl: URL): Promise<void> {
    const result = await signInThroughGateway(authorizationUrl, this.email);
    if (result.outcome !== 'redirected') throw new Error(`sign-in did not reach the client: ${result.outcome}`);
    this.callbackParams = result.redirect.searchParams;
  }

  saveDiscoveryState(state: OAuthDiscoveryState): void {
    this.#discoveryState = state;
  }

  discoveryState(): OAuthDiscoveryState | undefined {
    return this.#discoveryState;
  }
}

beforeAll(async () => {
  stack = await startPrivateStack();
  oauth = new V2ScriptedOAuthClient('alice@example.com', 'SDK v2 client');
});

afterAll(async () => {
  await stack?.cleanup();
});

/** Every request the client sends, as method + MCP headers, to check what went over the wire. */
interface SentRequest {
  url: string;
  httpMethod: string;
  mcpMethod: string | null;
  mcpName: string | null;
  protocolVersion: string | null;
  hasSession: boolean;
  status: number;
}

function recordingFetch(sent: SentRequest[]): FetchLike {
  return async (url, init) => {
    const response = await fetch(url, init);
    const headers = new Headers(init?.headers);
    sent.push({
      url: String(url),
      httpMethod: init?.method ?? 'GET',
      mcpMethod: headers.get('mcp-method'),
      mcpName: headers.get('mcp-name'),
      protocolVersion: headers.get('mcp-protocol-version'),
      hasSession: headers.has('mcp-session-id'),
      status: response.status,
    });
    return response;
  };
}

/** Connects a v2 client, signing in first when the gateway answers 401. */
async function connect(client: Client, sent: SentRequest[]): Promise<StreamableHTTPClientTransport> {
  const options = { authProvider: oauth, fetch: recordingFetch(sent) };
  const transport = new StreamableHTTPClientTransport(new URL(stack.mcpUrl), options);
  try {
    await client.connect(transport);
    return transport;
  } catch (error) {
    if (!(error instanceof UnauthorizedError)) throw error;
    // RFC 9207: the redirect names the issuer, so a client can tell authorization servers apart.
    const issuer = oauth.callbackParams?.get('iss');
    if (issuer !== stack.workerUrl)
      throw new Error(`the sign-in came back with iss=${issuer}, not ${stack.workerUrl}`, { cause: error });
    await transport.finishAuth(oauth.callbackParams!);
    const signedIn = new StreamableHTTPClientTransport(new URL(stack.mcpUrl), options);
    await client.connect(signedIn);
    return signedIn;
  }
}

describe('MCP SDK v2, stateless 2026-07-28', () => {
  it('discovers the server, lists tools and calls echo without a session', async () => {
    const sent: SentRequest[] = [];
    const client = new Client(
      { name: 'sdk-v2-client', version: '2.4.0' },
      { versionNegotiation: { mode: { pin: '2026-07-28' } } },
    );
    await connect(client, sent);
    try {
      const { tools } = await client.listTools();
      expect(tools.map((tool) => tool.name)).toContain('echo');
      const result = await client.callTool({ name: 'echo', arguments: { message: 'stateless' } });
      expect(result.content).toEqual([{ type: 'text', text: 'Echo: stateless' }]);

      // The same fetch also carries the OAuth requests (registration, token): keep the MCP ones.
      const mcpPosts = sent.filter(
        (request) => request.url === stack.mcpUrl && request.httpMethod === 'POST' && request.status !== 401,
      );
      expect(mcpPosts.map((request) => request.mcpMethod)).toEqual(
        expect.arrayContaining(['server/discover', 'tools/list', 'tools/call']),
      );
      expect(mcpPosts.find((request) => request.mcpMethod === 'tools/call')?.mcpName).toBe('echo');
      expect(mcpPosts.every((request) => request.protocolVersion === '2026-07-28' && !request.hasSession)).toBe(true);
      expect(mcpPosts.map((request) => request.mcpMethod)).not.toContain('initialize');
    } finally {
      await client.close();
    }
  });
});

describe('MCP SDK v2, default (sessionful) posture', () => {
  it('initializes, lists tools and calls echo', async () => {
    const sent: SentRequest[] = [];
    const client = new Client({ name: 'sdk-v2-client', version: '2.4.0' });
    await connect(client, sent);
    try {
      const { tools } = await client.listTools();
      expect(tools.map((tool) => tool.name)).toContain('echo');
      const result = await client.callTool({ name: 'echo', arguments: { message: 'sessionful' } });
      expect(result.content).toEqual([{ type: 'text', text: 'Echo: sessionful' }]);
      expect(sent.some((request) => request.hasSession)).toBe(true);
    } finally {
      await client.close();
    }
  });
});
