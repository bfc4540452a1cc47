/**
 * The `groups` claim as Access may send it, through the real Worker (docs/security.md, "The
 * groups claim"): group objects sign in with the right groups, a claim that cannot be read
 * refuses the sign-in (a dropped group could be the one a deny rule names) and is logged by its
 * shape only; a missing nonce is refused by default.
 */
import { env, SELF } from 'cloudflare:test';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { deriveUpstreamKey, IDENTITY_HEADER, verifyIdentityToken } from '../../../container/src/identity-token.ts';
import { ALICE, FakeAccess, MCP_URL } from './fake-access.ts';
import { approveUpToAccess, Browser, callback, mcpRequest, pkce, registerClient, signIn } from './browser.ts';

let access: FakeAccess;
beforeEach(async () => {
  access = await FakeAccess.start();
});
afterEach(() => {
  vi.restoreAllMocks();
});

/** The groups the MCP server is told this user has, after a sign-in with `groups` in the id_token. */
async function groupsSeenUpstream(groups: unknown): Promise<string[]> {
  access.idToken = (nonce) => access.sign({ ...ALICE, groups, nonce });
  const { access_token: token } = await signIn(access);
  await mcpRequest(token);
  const header = access.upstreamRequests.at(-1)!.headers.get(IDENTITY_HEADER)!;
  // Signed with this upstream's own key (docs/security.md, 20).
  const key = await deriveUpstreamKey(env.IDENTITY_SIGNING_KEY, `url:${env.UPSTREAM_URL}`);
  return (await verifyIdentityToken(header, { key, audience: env.UPSTREAM_URL! })).groups;
}

/** Plays a sign-in whose id_token carries `claims`; returns the callback's page and what was logged. */
async function refusedSignIn(claims: Record<string, unknown>) {
  const logged: string[] = [];
  vi.spyOn(console, 'warn').mockImplementation((...args: unknown[]) => void logged.push(args.map(String).join(' ')));
  access.idToken = (nonce) => access.sign({ ...ALICE, nonce, ...claims });
  const browser = new Browser();
  const { challenge } = await pkce();
  const { state } = await approveUpToAccess(browser, access, await registerClient(), challenge);
  const response = await callback(browser, state);
  return { response, html: await response.text(), logged: logged.join('\n') };
}

describe('the groups claim as Access sends it', () => {
  it('group strings sign in with those groups', async () => {
    expect(await groupsSeenUpstream(['engineering', 'support'])).toEqual(['engineering', 'support']);
  });

  it('group objects sign in with the configured field of each (name unless ACCESS_GROUPS_FIELD says otherwise)', async () => {
    const groups = [
      { id: '61503835-b6fe-4630-af88-de551dd59a20', name: 'engineering', email: 'engineering@example.com' },
      { id: '0b7e4d1c-2f3a-4b5c-8d6e-7f8091a2b3c4', name: 'support' },
    ];
    expect(await groupsSeenUpstream(groups)).toEqual(['engineering', 'support']);
  });

  it('no groups claim signs in with no groups (one-time PIN sends none)', async () => {
    expect(await groupsSeenUpstream(undefined)).toEqual([]);
  });

  it.each([
    ['a single string', 'contractors-SECRET-GROUP', 'a string, not a list'],
    [
      'a list with a number',
      ['engineering', 42],
      'a list of 2 mixed elements (string, number); an element is a number',
    ],
    [
      'objects without a name',
      [{ id: 'contractors-SECRET-GROUP' }],
      'a list of 1 object with id; an element is an object with id, without a text &#34;name&#34; (ACCESS_GROUPS_FIELD)',
    ],
  ])(
    'a groups claim that is %s refuses the sign-in, logging its shape and not its values',
    async (_what, groups, shape) => {
      const { response, html, logged } = await refusedSignIn({ groups });
      expect(response.status).toBe(401);
      expect(response.headers.get('Location')).toBeNull();
      expect(html).toContain(`the groups claim cannot be read (${shape})`);
      expect(logged).toContain('"event":"sign_in.refused"');
      expect(logged).toContain('the groups claim cannot be read');
      expect(`${html}\n${logged}`).not.toContain('SECRET-GROUP');
      expect(`${html}\n${logged}`).not.toContain('engineering');
    },
  );

  it('an id_token without the nonce is refused by default (ACCESS_NONCE=required)', async () => {
    const { response, html } = await refusedSignIn({ nonce: undefined });
    expect(response.status).toBe(401);
    expect(html).toContain('the token carries no nonce');
    expect(html).toContain('accessNonce');
  });
});

describe('GET /mcp/identity: the first-minute check of a sign-in', () => {
  it('shows the signed-in person their email, groups and the shape of each claim, never a value', async () => {
    access.idToken = (nonce) =>
      access.sign({ ...ALICE, nonce, groups: [{ id: 'group-object-id', name: 'engineering' }] });
    const { access_token: token } = await signIn(access);
    const response = await fetchIdentity(token);
    expect(response.status).toBe(200);
    expect(response.headers.get('Cache-Control')).toBe('no-store');
    const identity = await response.json<{ groups: string[]; claims: Record<string, string>; email: string }>();
    expect(identity.email).toBe(ALICE.email);
    expect(identity.groups).toEqual(['engineering']);
    expect(identity.claims.groups).toBe('a list of 1 object with id, name');
    expect(identity.claims.nonce).toBe('a string');
    expect(JSON.stringify(identity.claims)).not.toMatch(/group-object-id|access-sub-alice|SECRET/);
  });

  it('needs a token, and answers only GET', async () => {
    expect((await fetchIdentity(undefined)).status).toBe(401);
    const { access_token: token } = await signIn(access);
    // mcpRequest POSTs: the route answers GET only.
    expect((await mcpRequest(token, { url: `${MCP_URL}/identity` })).status).toBe(405);
  });
});

function fetchIdentity(token: string | undefined): Promise<Response> {
  return SELF.fetch(`${MCP_URL}/identity`, { headers: token ? { Authorization: `Bearer ${token}` } : {} });
}
