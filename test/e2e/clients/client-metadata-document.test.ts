import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScriptedOAuthClient } from '../../../dev/client/scripted-oauth-client.ts';
import { startPrivateStack } from '../../../dev/stack/private-stack.ts';
import { startLoopbackHttps, type LoopbackHttpsServer } from '../../support/loopback-tls.ts';

/**
 * An MCP SDK v1 client that has only a Client ID Metadata Document, no registration: its document
 * is served over https on loopback (a throwaway CA the local Worker trusts), the local stack allows
 * loopback documents (CLIENT_METADATA_LOOPBACK=allow, as `npm run dev` does), and the client signs
 * in as alice and calls echo without ever calling /register.
 */
let documents: LoopbackHttpsServer;
let stack: Awaited<ReturnType<typeof startPrivateStack>>;
const served: string[] = [];
let documentUrl = '';

class MetadataDocumentClient extends ScriptedOAuthClient {
  get clientMetadataUrl(): string {
    return documentUrl;
  }
}

beforeAll(async () => {
  documents = await startLoopbackHttps((request, response) => {
    served.push(request.url ?? '');
    if (request.url !== '/secure-mcp-test-client.json') {
      response.writeHead(404).end();
      return;
    }
    const probe = new MetadataDocumentClient('alice@example.com');
    response.writeHead(200, { 'Content-Type': 'application/json' }).end(
      JSON.stringify({
        client_id: documentUrl,
        client_name: 'secure-mcp CIMD test client',
        redirect_uris: probe.clientMetadata.redirect_uris,
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: 'none',
      }),
    );
  });
  documentUrl = `${documents.origin}/secure-mcp-test-client.json`;
  stack = await startPrivateStack({ extraCaCertificates: documents.caFile });
});

afterAll(async () => {
  await stack?.cleanup();
  await documents?.close();
});

describe('a client with a Client ID Metadata Document', () => {
  it('signs in through the local stack with its document URL as client_id, and calls echo', async () => {
    const oauth = new MetadataDocumentClient('alice@example.com', 'secure-mcp CIMD test client');
    const requested: string[] = [];
    const recordingFetch: typeof fetch = (input, init) => {
      requested.push(
        `${init?.method ?? 'GET'} ${new URL(input instanceof Request ? input.url : String(input)).pathname}`,
      );
      return fetch(input, init);
    };
    const client = new Client({ name: 'secure-mcp-cimd-e2e', version: '1.0.0' });
    const firstTry = new StreamableHTTPClientTransport(new URL(stack.mcpUrl), {
      authProvider: oauth,
      fetch: recordingFetch,
    });
    expect(await client.connect(firstTry).catch((error: unknown) => error)).toBeInstanceOf(UnauthorizedError);
    await firstTry.finishAuth(oauth.takeAuthorizationCode());
    await client.connect(
      new StreamableHTTPClientTransport(new URL(stack.mcpUrl), { authProvider: oauth, fetch: recordingFetch }),
    );
    try {
      const echoed = await client.callTool({ name: 'echo', arguments: { message: 'signed in by document' } });
      expect(echoed.content).toEqual([{ type: 'text', text: 'Echo: signed in by document' }]);
    } finally {
      await client.close();
    }
    expect(oauth.clientInformation()?.client_id).toBe(documentUrl);
    expect(requested).not.toContain('POST /register');
    expect(requested).toContain('POST /token');
    expect(served).toContain('/secure-mcp-test-client.json');
  });
});
