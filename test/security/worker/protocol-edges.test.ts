/**
 * Protocol and input edges (second review, item 7): the id_token's `azp` and `email_verified`
 * (docs/security.md 2), the gateway's own secrets kept out of the container (13), and the
 * 2026-07-28 `Mcp-Param-*` headers an intermediary must forward. (Oversized bodies answered with a
 * 4xx rather than a reset connection are proved through `wrangler dev`, where the reset happens:
 * `node/hostile-clients.test.ts`.)
 */
import { env } from 'cloudflare:test';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { readContainerSettings } from '../../../worker/src/container/container-settings.ts';
import { ALICE, FakeAccess } from './fake-access.ts';
import {
  approveUpToAccess,
  Browser,
  callback,
  clientCode,
  mcpRequest,
  pkce,
  registerClient,
  signIn,
} from './browser.ts';

let access: FakeAccess;
beforeEach(async () => {
  access = await FakeAccess.start();
});
afterEach(() => {
  vi.restoreAllMocks();
});

async function signInWith(claims: Record<string, unknown>, options: { audience?: string[] } = {}): Promise<Response> {
  access.idToken = (nonce) => access.sign({ ...ALICE, nonce, ...claims }, options);
  const browser = new Browser();
  const clientId = await registerClient();
  const { challenge } = await pkce();
  const { state } = await approveUpToAccess(browser, access, clientId, challenge);
  return callback(browser, state);
}

describe('id_token: azp and email_verified (docs/security.md 2)', () => {
  it.each([
    ['an azp naming another client', { azp: 'another-client' }, 'azp'],
    ['an email its provider did not verify', { email_verified: false }, 'not verified'],
    ['email_verified as the string "false"', { email_verified: 'false' }, 'not verified'],
  ])('%s is refused with a plain error page', async (_name, claims, reason) => {
    const response = await signInWith(claims);
    expect(response.status).toBe(401);
    expect(response.headers.get('Location')).toBeNull();
    expect(await response.text()).toContain(reason);
  });

  it('a token for several audiences without an azp naming us is refused', async () => {
    access.idToken = (nonce) =>
      access.sign({ ...ALICE, nonce }, { audience: [env.ACCESS_CLIENT_ID, 'another-client'] });
    const browser = new Browser();
    const clientId = await registerClient();
    const { challenge } = await pkce();
    const { state } = await approveUpToAccess(browser, access, clientId, challenge);
    const response = await callback(browser, state);
    expect(response.status).toBe(401);
    expect(await response.text()).toContain('azp');
  });

  it.each([
    ['an azp naming us', { azp: env.ACCESS_CLIENT_ID }],
    ['a verified email', { email_verified: true }],
    ['no email_verified at all (Access does not document it)', {}],
  ])('%s signs in', async (_name, claims) => {
    expect(clientCode(await signInWith(claims))).toBeTruthy();
  });
});

describe("the gateway's own secrets never enter the container (docs/security.md 13)", () => {
  const base = {
    IDENTITY_SIGNING_KEY: 'k'.repeat(40),
    COOKIE_SIGNING_KEY: 'c'.repeat(40),
    ADMIN_TOKEN: 'a'.repeat(40),
    ACCESS_CLIENT_SECRET: 's',
    GITHUB_TOKEN: 'g',
  };
  it.each(['IDENTITY_SIGNING_KEY', 'COOKIE_SIGNING_KEY', 'ADMIN_TOKEN', 'ACCESS_CLIENT_SECRET'])(
    'MCP_CONTAINER_SECRET_NAMES naming %s is refused when the settings are read',
    (name) => {
      expect(() => readContainerSettings({ ...base, MCP_CONTAINER_SECRET_NAMES: `GITHUB_TOKEN,${name}` })).toThrow(
        `${name} is the gateway's own secret`,
      );
    },
  );

  it("a server's own secret still passes", () => {
    expect(readContainerSettings({ ...base, MCP_CONTAINER_SECRET_NAMES: 'GITHUB_TOKEN' }).envVars.GITHUB_TOKEN).toBe(
      'g',
    );
  });
});

describe('Mcp-Param-* headers (MCP 2026-07-28, SEP-2243)', () => {
  it('reach the server beside the body they mirror; the client’s Authorization still does not', async () => {
    const { access_token } = await signIn(access);
    const body = JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/call',
      params: { name: 'echo', arguments: { message: 'hi', region: 'eu' } },
    });
    const response = await mcpRequest(access_token, {
      body,
      headers: { 'Mcp-Method': 'tools/call', 'Mcp-Name': 'echo', 'Mcp-Param-Region': 'eu' },
    });
    expect(response.status).toBe(200);
    const seen = access.upstreamRequests.at(-1)!.headers;
    expect(seen.get('Mcp-Param-Region')).toBe('eu');
    expect(seen.get('Mcp-Method')).toBe('tools/call');
    expect(seen.get('Authorization')).toBeNull();
  });
});
