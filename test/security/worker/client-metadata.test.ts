import { SELF } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { authorizeUrl, pkce, REDIRECT_URI } from './browser.ts';

// Client ID Metadata Documents (docs/security.md 7): the Worker fetches a client's document only
// from a public address (this suite's Worker has no CLIENT_METADATA_LOOPBACK, as in production),
// and a document that lies about itself never gets a sign-in started. The documents are answered
// by replacing the isolate's fetch, so no test leaves this machine.
const ORIGIN = 'http://localhost:8788';
const CLIENT_ID = 'https://client.example/mcp-client.json';

const fetched: string[] = [];
function serveDocuments(documents: Record<string, () => Response>): void {
  const original = globalThis.fetch;
  vi.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
    const request = new Request(input, init);
    const answer = documents[request.url];
    if (answer) {
      fetched.push(request.url);
      return answer();
    }
    if (/^https?:\/\/(10\.|127\.|\[|169\.254|192\.168)/.test(request.url)) fetched.push(request.url);
    return original(input, init);
  });
}

afterEach(() => {
  vi.restoreAllMocks();
  fetched.length = 0;
});

const document = (overrides: Record<string, unknown> = {}) =>
  Response.json({
    client_id: CLIENT_ID,
    client_name: 'Example MCP Client',
    redirect_uris: [REDIRECT_URI],
    token_endpoint_auth_method: 'none',
    ...overrides,
  });

async function authorize(clientId: string) {
  const { challenge } = await pkce();
  return SELF.fetch(authorizeUrl(clientId, challenge), { redirect: 'manual' });
}

describe('Client ID Metadata Documents', () => {
  it('are advertised in the authorization server metadata', async () => {
    const metadata = await (
      await SELF.fetch(`${ORIGIN}/.well-known/oauth-authorization-server`)
    ).json<{ client_id_metadata_document_supported?: boolean }>();
    expect(metadata.client_id_metadata_document_supported).toBe(true);
  });

  it('show the consent page with the document host for an honest document', async () => {
    serveDocuments({ [CLIENT_ID]: () => document() });
    const response = await authorize(CLIENT_ID);
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain('Published by <strong>client.example</strong>');
    expect(html).toContain('Example MCP Client');
    expect(new Set(fetched)).toEqual(new Set([CLIENT_ID]));
  });

  it.each([
    ['a client_id that is not its own URL', () => document({ client_id: 'https://other.example/mcp-client.json' })],
    [
      'a redirect URI the request uses but the document does not list',
      () => document({ redirect_uris: ['https://client.example/cb'] }),
    ],
    ['a document over 5 KB', () => document({ client_name: 'x'.repeat(6 * 1024) })],
    ['a document with a client secret', () => document({ client_secret: 'shh' })],
  ])('refuse %s without redirecting anywhere', async (_name, answer) => {
    serveDocuments({ [CLIENT_ID]: answer });
    const response = await authorize(CLIENT_ID);
    expect(response.status).toBe(400);
    expect(response.headers.get('Location')).toBeNull();
  });

  // The library's limit is a fixed 10 s (it has no option), so this test waits for it.
  it('refuse a document that does not arrive within 10 seconds', { timeout: 30_000 }, async () => {
    // Headers at once, then a body that never ends: the limit covers both.
    serveDocuments({
      [CLIENT_ID]: () =>
        new Response(new ReadableStream({ start: (controller) => controller.enqueue(new TextEncoder().encode('{')) }), {
          headers: { 'Content-Type': 'application/json' },
        }),
    });
    const response = await authorize(CLIENT_ID);
    expect(response.status).toBe(400);
    expect(response.headers.get('Location')).toBeNull();
  });

  it.each([
    ['https://10.0.0.7/client.json', 'private or reserved'],
    ['https://192.168.1.10/client.json', 'private or reserved'],
    ['https://169.254.169.254/latest/client.json', 'private or reserved'],
    ['https://[fd00::1]/client.json', 'private or reserved'],
    ['https://[::ffff:10.0.0.1]/client.json', 'private or reserved'],
    ['https://127.0.0.1:4443/client.json', 'loopback'],
    ['https://localhost:4443/client.json', 'loopback'],
  ])('are never fetched from %s in production', async (clientId, why) => {
    serveDocuments({});
    const response = await authorize(clientId);
    expect(response.status).toBe(400);
    expect(await response.text()).toContain(why);
    const token = await SELF.fetch(`${ORIGIN}/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', code: 'x', client_id: clientId }),
    });
    expect(token.status).toBe(401);
    expect(fetched).toEqual([]);
  });
});
