/**
 * The identity token the Worker reuses for back-to-back requests (worker/src/mcp/identity-token-reuse.ts,
 * docs/security.md "Work taken off the hot path"): it must not outlive what it stands for. A revoked
 * person's next request never reaches the server, and a person whose groups changed gets a token with
 * the new groups on their next request, not up to 20 s later.
 */
import { env, SELF } from 'cloudflare:test';
import { beforeEach, describe, expect, it } from 'vitest';
import { deriveUpstreamKey, IDENTITY_HEADER, verifyIdentityToken } from '../../../container/src/identity-token.ts';
import { ALICE, FakeAccess, ORIGIN } from './fake-access.ts';
import { mcpRequest, signIn } from './browser.ts';

let access: FakeAccess;
beforeEach(async () => {
  access = await FakeAccess.start();
});

const identityOf = async (index: number) => {
  const header = access.upstreamRequests[index]!.headers.get(IDENTITY_HEADER)!;
  const key = await deriveUpstreamKey(env.IDENTITY_SIGNING_KEY, `url:${env.UPSTREAM_URL}`);
  return { header, identity: await verifyIdentityToken(header, { key, audience: env.UPSTREAM_URL! }) };
};

describe('a reused identity token (docs/security.md 10)', () => {
  it('is the same for back-to-back requests of one person', async () => {
    const { access_token } = await signIn(access);
    expect((await mcpRequest(access_token)).status).toBe(200);
    expect((await mcpRequest(access_token)).status).toBe(200);
    expect((await identityOf(1)).header).toBe((await identityOf(0)).header);
  });

  it("never carries a revoked person's request to the server", async () => {
    const { access_token } = await signIn(access);
    expect((await mcpRequest(access_token)).status).toBe(200);
    const forwarded = access.upstreamRequests.length;
    const revoked = await revokePerson('alice@example.com');
    expect(revoked.status).toBe(200);
    expect((await mcpRequest(access_token)).status).toBe(401);
    expect(access.upstreamRequests.length).toBe(forwarded);
  });

  it('carries new groups on the first request after they changed', async () => {
    const before = await signIn(access);
    expect((await mcpRequest(before.access_token)).status).toBe(200);
    expect((await identityOf(0)).identity.groups).toEqual(ALICE.groups);
    access.idToken = (nonce) => access.sign({ ...ALICE, groups: [], nonce });
    const after = await signIn(access);
    expect((await mcpRequest(after.access_token)).status).toBe(200);
    expect((await identityOf(1)).identity.groups).toEqual([]);
    // The older grant still names the groups it was signed in with, and keeps its own token.
    expect((await mcpRequest(before.access_token)).status).toBe(200);
    expect((await identityOf(2)).header).toBe((await identityOf(0)).header);
  });
});

/** The operator's revocation of a person (worker/src/admin/revoke-user.ts). */
function revokePerson(email: string): Promise<Response> {
  return SELF.fetch(`${ORIGIN}/admin/revoke-user`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      Authorization: 'Bearer security-admin-token-0123456789abcdef012345',
    },
    body: JSON.stringify({ email }),
  });
}
