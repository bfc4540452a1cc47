/**
 * Attacks on MCP traffic through the Worker (docs/security.md 10, 12): token passthrough, a forged
 * identity header, a foreign Origin. The MCP server here is the fake one in fake-access.ts, so
 * the test sees exactly what a server would receive.
 */
import { env } from 'cloudflare:test';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  deriveUpstreamKey,
  IDENTITY_HEADER,
  signIdentityToken,
  verifyIdentityToken,
} from '../../../container/src/identity-token.ts';
import { checkOrigin } from '../../../worker/src/mcp/check-origin.ts';
import { ALICE, FakeAccess, ORIGIN } from './fake-access.ts';
import { mcpRequest, signIn } from './browser.ts';

let access: FakeAccess;
let token: string;
beforeEach(async () => {
  access = await FakeAccess.start();
  token = (await signIn(access)).access_token;
});
afterEach(() => {
  vi.restoreAllMocks();
});

describe('no token passthrough (docs/security.md 10)', () => {
  it("the MCP server never sees the client's Authorization or cookies", async () => {
    const response = await mcpRequest(token, {
      headers: { Cookie: '__Host-oauth-approvals=abc', 'X-Forwarded-Authorization': 'x' },
    });
    expect(response.status).toBe(200);
    const seen = access.upstreamRequests.at(-1)!;
    expect(seen.headers.get('Authorization')).toBeNull();
    expect(seen.headers.get('Cookie')).toBeNull();
    expect([...seen.headers.values()].join(' ')).not.toContain(token);
    expect(seen.body).not.toContain(token);
  });

  it('the MCP server gets a Worker-signed identity for this user and this upstream, valid for a minute', async () => {
    await mcpRequest(token);
    const header = access.upstreamRequests.at(-1)!.headers.get(IDENTITY_HEADER);
    expect(header).toBeTruthy();
    // Signed with the key derived for this upstream (docs/security.md 20), never the Worker's own.
    await expect(
      verifyIdentityToken(header!, { key: env.IDENTITY_SIGNING_KEY, audience: env.UPSTREAM_URL! }),
    ).rejects.toThrow(/refused/);
    const upstreamKey = await deriveUpstreamKey(env.IDENTITY_SIGNING_KEY, `url:${env.UPSTREAM_URL}`);
    const identity = await verifyIdentityToken(header!, { key: upstreamKey, audience: env.UPSTREAM_URL! });
    expect(identity).toEqual({ userKey: ALICE.sub, email: ALICE.email, groups: ALICE.groups });
    const claims = JSON.parse(atob(header!.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/'))) as {
      exp: number;
      iat: number;
    };
    expect(claims.exp - claims.iat).toBeLessThanOrEqual(60);
  });

  it('an identity header sent by the client is replaced, never passed through', async () => {
    const forged = await signIdentityToken(
      { userKey: 'someone-else', email: 'ceo@example.com', groups: ['admins'] },
      { key: 'a-key-the-attacker-guessed-0123456789abcdef', audience: env.UPSTREAM_URL! },
    );
    await mcpRequest(token, { headers: { [IDENTITY_HEADER]: forged } });
    const seen = access.upstreamRequests.at(-1)!.headers.get(IDENTITY_HEADER)!;
    expect(seen).not.toBe(forged);
    const upstreamKey = await deriveUpstreamKey(env.IDENTITY_SIGNING_KEY, `url:${env.UPSTREAM_URL}`);
    expect((await verifyIdentityToken(seen, { key: upstreamKey, audience: env.UPSTREAM_URL! })).email).toBe(
      ALICE.email,
    );
  });

  it("the server's Set-Cookie and other headers do not reach the client", async () => {
    const response = await mcpRequest(token);
    expect(response.headers.get('Set-Cookie')).toBeNull();
    expect(response.headers.get('Mcp-Session-Id')).toBe('session-from-server');
  });
});

describe('Origin and Host (docs/security.md 12)', () => {
  it("a foreign Origin (a web page in the user's browser, DNS rebinding) gets 403 and reaches nothing", async () => {
    for (const origin of [
      'https://evil.example',
      'http://localhost:8788.evil.example',
      'null',
      'http://localhost:9999',
    ]) {
      const response = await mcpRequest(token, { headers: { Origin: origin } });
      expect(response.status, origin).toBe(403);
      expect((await response.json<{ error: { message: string } }>()).error.message).toContain('Origin');
    }
    expect(access.upstreamRequests).toHaveLength(0);
  });

  it("the Worker's own origin, an allow-listed origin and no Origin at all pass", async () => {
    expect((await mcpRequest(token, { headers: { Origin: ORIGIN } })).status).toBe(200);
    expect((await mcpRequest(token, { headers: { Origin: 'https://inspector.example.com' } })).status).toBe(200);
    expect((await mcpRequest(token)).status).toBe(200);
  });

  it('a request addressed to another Host is refused', () => {
    const config = { publicUrl: ORIGIN, allowedOrigins: [ORIGIN] };
    expect(checkOrigin(new Request('http://rebound.evil.example/mcp'), config)?.status).toBe(403);
    expect(checkOrigin(new Request(`${ORIGIN}/mcp`), config)).toBeUndefined();
  });

  it('a 401 for a bad token comes before any Origin detail is revealed', async () => {
    const response = await mcpRequest('bogus', { headers: { Origin: 'https://evil.example' } });
    expect(response.status).toBe(401);
  });
});
