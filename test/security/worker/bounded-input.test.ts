/**
 * Attacks with hostile `/mcp` input (docs/security.md 14), sent with a valid token: each gets a 4xx
 * with a JSON-RPC error, never a 5xx, never a hang, and never reaches the MCP server. The bounded
 * reading itself is the policy gate's (worker/src/mcp/gate/read-json-rpc-body.ts).
 */
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_BODY_LIMITS } from '../../../worker/src/mcp/gate/body-limits.ts';
import { FakeAccess } from './fake-access.ts';
import { mcpRequest, signIn } from './browser.ts';

let access: FakeAccess;
let token: string;
beforeAll(async () => {
  access = await FakeAccess.start();
  token = (await signIn(access)).access_token;
  vi.restoreAllMocks();
});
beforeEach(async () => {
  access = await FakeAccess.start();
});
afterEach(() => {
  vi.restoreAllMocks();
});

async function expectRefused(response: Response, statuses: number[]) {
  expect(statuses).toContain(response.status);
  const body = await response.json<{ jsonrpc: string; error: { code: number; message: string } }>();
  expect(body.jsonrpc).toBe('2.0');
  expect(body.error.code).toBeLessThan(0);
  expect(access.upstreamRequests).toHaveLength(0);
}

describe('bounded input on /mcp (docs/security.md 14)', () => {
  it('an oversized body is refused with 413', async () => {
    const padding = 'x'.repeat(DEFAULT_BODY_LIMITS.maxBytes + 1);
    await expectRefused(
      await mcpRequest(token, {
        body: JSON.stringify({
          jsonrpc: '2.0',
          id: 1,
          method: 'tools/call',
          params: { name: 'echo', arguments: { message: padding } },
        }),
      }),
      [413],
    );
  });

  it('deeply nested JSON is refused with 400', async () => {
    const depth = 100_000;
    const body = `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":${'['.repeat(depth)}${']'.repeat(depth)}}`;
    await expectRefused(await mcpRequest(token, { body }), [400]);
  });

  it('malformed JSON is refused with 400 (parse error)', async () => {
    await expectRefused(await mcpRequest(token, { body: '{"jsonrpc":"2.0","id":1,"method":' }), [400]);
  });

  it('well-formed JSON that is not JSON-RPC is refused with 400', async () => {
    for (const body of [
      '{"hello":"world"}',
      '[]',
      '42',
      '"tools/call"',
      '{"jsonrpc":"1.0","id":1,"method":"tools/list"}',
      'null',
    ]) {
      await expectRefused(await mcpRequest(token, { body }), [400]);
    }
  });

  it('a batch longer than the bound is refused with 400', async () => {
    const batch = Array.from({ length: DEFAULT_BODY_LIMITS.maxBatch + 1 }, (_, i) => ({
      jsonrpc: '2.0',
      id: i,
      method: 'tools/list',
    }));
    await expectRefused(await mcpRequest(token, { body: JSON.stringify(batch) }), [400]);
  });

  it('a wrong content type is refused with 415', async () => {
    for (const type of [
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/jsonx',
    ]) {
      await expectRefused(await mcpRequest(token, { headers: { 'Content-Type': type } }), [415]);
    }
  });

  it('invalid UTF-8 is refused with 400', async () => {
    const { SELF } = await import('cloudflare:test');
    const body = new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]);
    const response = await SELF.fetch('http://localhost:8788/mcp', {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${token}`,
        'Content-Type': 'application/json',
        Accept: 'application/json, text/event-stream',
      },
      body,
    });
    await expectRefused(response, [400]);
  });
});

describe('oversized client ids and tokens (found by `npm run fuzz`: they made KV throw, a 500)', () => {
  const long = 'a'.repeat(600);

  it('an overlong client_id at /authorize gets a plain 400 page', async () => {
    const { SELF } = await import('cloudflare:test');
    const response = await SELF.fetch(
      `http://localhost:8788/authorize?response_type=code&client_id=${long}&redirect_uri=http://localhost:3333/callback&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256`,
    );
    expect(response.status).toBe(400);
    expect(response.headers.get('Content-Type')).toContain('text/html');
  });

  it('an overlong client_id, code, refresh token or Basic credential at /token gets an OAuth 4xx', async () => {
    const { SELF } = await import('cloudflare:test');
    const form = (body: string, headers: Record<string, string> = {}) =>
      SELF.fetch('http://localhost:8788/token', {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
        body,
      });
    const responses = [
      await form(`grant_type=authorization_code&client_id=${long}&code=a:b:c`),
      await form(`grant_type=authorization_code&client_id=x&code=${long}:b:c`),
      await form(`grant_type=refresh_token&client_id=x&refresh_token=${long}:b:c`),
      await form(`token=${long}:b:c&client_id=x`),
      await form('grant_type=refresh_token&refresh_token=a:b:c', { Authorization: `Basic ${btoa(`${long}:secret`)}` }),
    ];
    for (const response of responses) {
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(response.status).toBeLessThan(500);
      expect((await response.json<{ error: string }>()).error).toMatch(/^invalid_/);
    }
  });

  it('an overlong bearer token on /mcp gets 401 with the resource metadata challenge', async () => {
    const response = await mcpRequest(`${long}:grant:secret`);
    expect(response.status).toBe(401);
    expect(response.headers.get('WWW-Authenticate')).toContain('resource_metadata=');
  });
});
