import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessPoliciesFor } from '../../policies/access.ts';
import { authorizationRequest, standInOptions, TEST_CLIENT } from '../../test/support/access-standin-client.ts';
import { BrowserSession } from '../browser-session.ts';
import {
  directoryGroup,
  groupsClaimOf,
  providerGroupsOf,
  rehearsalPolicies,
  standInProfile,
  workerGroupsOf,
} from './profiles.ts';
import { loadDevUsers, signInAtAccess, startAccessStandIn, type RunningAccessStandIn } from './index.ts';
import type { DevUser } from './users.ts';

const { clientId, clientSecret, redirectUri } = TEST_CLIENT;
const prod = accessPoliciesFor('prod');

let users: DevUser[];
let bob: DevUser;
let standIn: RunningAccessStandIn;
const logLines: string[] = [];

beforeAll(async () => {
  users = await loadDevUsers();
  bob = users.find((user) => user.email === 'bob@example.com')!;
  standIn = await startAccessStandIn(standInOptions({ users, policies: prod, logger: (line) => logLines.push(line) }));
});
afterAll(() => standIn.close());

/** Signs `email` in at the stand-in with a fresh browser; returns the refusal, or the id_token's claims. */
async function signIn(email: string, form: Record<string, string> = {}) {
  const { url, verifier, nonce } = authorizationRequest(standIn);
  const browser = new BrowserSession();
  const opened = await browser.follow(url, undefined, { until: (next) => next.pathname.includes('/login/') });
  const result = Object.keys(form).length
    ? await browser
        .follow(
          opened.url,
          { method: 'POST', body: new URLSearchParams({ email, ...form }) },
          { until: (next) => !next.pathname.startsWith('/cdn-cgi/access/') },
        )
        .then(async (followed) =>
          followed.stopped
            ? { outcome: 'redirected' as const, location: followed.url.href }
            : { outcome: 'refused' as const, status: followed.response.status, html: await followed.response.text() },
        )
    : await signInAtAccess(browser, url, email);
  if (result.outcome !== 'redirected') return { refused: result, claims: undefined, nonce };
  const code = new URL(result.location).searchParams.get('code')!;
  const tokens = (await (
    await fetch(standIn.tokenUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        redirect_uri: redirectUri,
        code_verifier: verifier,
        client_id: clientId,
        client_secret: clientSecret,
      }),
    })
  ).json()) as { id_token: string };
  return { refused: undefined, claims: decodeJwt(tokens.id_token), nonce };
}

describe('the directory of each profile', () => {
  it('gives each dev group the value its provider writes', () => {
    expect(directoryGroup('contractors', standInProfile('okta')).value).toBe('contractors');
    expect(directoryGroup('contractors', standInProfile('entra')).value).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(directoryGroup('contractors', standInProfile('google')).value).toBe('contractors@example.com');
    expect(directoryGroup('contractors', standInProfile('github')).value).toBe('secure-mcp-dev/contractors');
    expect(directoryGroup('contractors', standInProfile('otp')).value).toBeUndefined();
    expect(directoryGroup('contractors', standInProfile('entra')).id).toBe(
      directoryGroup('contractors', standInProfile('google')).id,
    );
  });

  it('rewrites the group rules of the policies as the provider writes them', () => {
    const [contractors] = rehearsalPolicies(prod, standInProfile('google'), users);
    expect(contractors?.include).toEqual([{ group: 'contractors@example.com' }]);
  });

  it('writes the groups claim as strings, as objects, or not at all', () => {
    expect(groupsClaimOf(bob, standInProfile('okta'))).toEqual(['support']);
    expect(groupsClaimOf(bob, standInProfile('github'))).toEqual(['secure-mcp-dev', 'secure-mcp-dev/support']);
    expect(groupsClaimOf(bob, standInProfile('entra', { groups: 'objects' }))).toEqual([
      { id: directoryGroup('support', standInProfile('entra')).id, name: 'support', email: 'support@example.com' },
    ]);
    expect(groupsClaimOf(bob, standInProfile('otp'))).toBeUndefined();
    expect(workerGroupsOf(bob, standInProfile('entra', { groups: 'objects' }), 'name')).toEqual(['support']);
    expect(providerGroupsOf(bob, standInProfile('entra', { groups: 'objects' }))).toEqual([
      directoryGroup('support', standInProfile('entra')).id,
    ]);
  });
});

describe('the stand-in rehearsing a provider', () => {
  it.each(['oidc', 'okta', 'entra', 'google', 'github', 'saml'])(
    '%s: refuses mallory in prod by the selector the stack emits for it',
    async (name) => {
      standIn.rehearse({ profile: standInProfile(name) });
      const { refused } = await signIn('mallory@example.com');
      expect(refused).toMatchObject({ outcome: 'refused', status: 403 });
      expect(logLines.at(-1)).toMatch(/sign-in refused for mallory@example\.com through .*"contractors-not-in-prod"/);
    },
  );

  it('writes the id_token as the profile says: group objects, no nonce, no name', async () => {
    standIn.rehearse({ profile: standInProfile('entra', { groups: 'objects', echoNonce: false, sendName: false }) });
    const { claims } = await signIn('bob@example.com');
    expect(claims?.groups).toEqual(groupsClaimOf(bob, standInProfile('entra', { groups: 'objects' })));
    expect(claims).not.toHaveProperty('nonce');
    expect(claims).not.toHaveProperty('name');
    standIn.rehearse({ profile: standInProfile('okta') });
    const echoed = await signIn('bob@example.com');
    expect(echoed.claims).toMatchObject({ nonce: echoed.nonce, name: 'Bob Example', groups: ['support'] });
  });

  it('decides in Access order: with the allow above the deny, mallory gets in', async () => {
    standIn.rehearse({ profile: standInProfile('okta'), policies: [...prod].reverse() });
    const { refused, claims } = await signIn('mallory@example.com');
    expect(refused).toBeUndefined();
    expect(claims?.email).toBe('mallory@example.com');
    expect(logLines.at(-1)).toMatch(/sign-in allowed for mallory@example\.com .*"employees"/);
    standIn.rehearse({ policies: prod });
  });

  it('refuses one-time PIN for an application pinned to its provider; without the pin it is a way round the group rule', async () => {
    standIn.rehearse({ profile: standInProfile('okta'), acceptedProviders: 'pinned' });
    const pinned = await signIn('mallory@example.com', { idp: 'onetimepin' });
    expect(pinned.refused).toMatchObject({ status: 403 });
    expect((pinned.refused as { html: string }).html).toContain('accepts only sign-ins through Okta');

    standIn.rehearse({ acceptedProviders: 'any' });
    const unpinned = await signIn('mallory@example.com', { idp: 'onetimepin' });
    expect(unpinned.refused).toBeUndefined();
    expect(logLines.at(-1)).toMatch(/allowed for mallory@example\.com through one-time PIN .*"employees"/);
    standIn.rehearse({ acceptedProviders: 'pinned' });
  });

  it('will not rehearse one-time PIN with a group rule, as Cloudflare would not deploy it', async () => {
    expect(() => standIn.rehearse({ profile: standInProfile('otp') })).toThrow(
      /cannot rehearse one-time PIN with these policies.*\n {2}- Access policy "contractors-not-in-prod": group "contractors": one-time PIN has no groups/,
    );
    await expect(
      startAccessStandIn(standInOptions({ users, policies: prod, profile: standInProfile('otp') })),
    ).rejects.toThrow(/cannot rehearse one-time PIN/);
    // Without group rules, one-time PIN signs people in, with no groups claim.
    standIn.rehearse({
      profile: standInProfile('otp'),
      policies: prod.filter((policy) => policy.decision === 'allow'),
    });
    const { claims } = await signIn('bob@example.com');
    expect(claims).not.toHaveProperty('groups');
    standIn.rehearse({ profile: standInProfile('okta'), policies: prod });
  });
});
