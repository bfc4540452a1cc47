import * as pulumi from '@pulumi/pulumi';
import { beforeAll, describe, expect, it } from 'vitest';
import { AccessApp, accessOidcEndpoints, shorterSession } from './access-app.ts';
import {
  MOCK_CLIENT_ID,
  MOCK_CLIENT_SECRET,
  startMockedStack,
  TYPES,
  type MockedStack,
  valueOf,
} from './pulumi-test-mocks.ts';

const baseArgs = {
  accountId: '0123456789abcdef0123456789abcdef',
  teamName: 'acme',
  redirectUri: 'https://secure-mcp-dev-gateway.acme.workers.dev/callback',
  sessionDuration: '12h',
  identityProvider: {
    type: 'okta' as const,
    id: '5f0c8a4e-3d1b-4c6a-9e2f-7b8d9c0a1b2c',
    groupsClaim: 'groups',
    registeredClaims: [],
  },
};

describe('accessOidcEndpoints', () => {
  it('derives the issuer and its endpoints from the team and the client id', () => {
    expect(accessOidcEndpoints('acme', 'cid')).toEqual({
      issuer: 'https://acme.cloudflareaccess.com/cdn-cgi/access/sso/oidc/cid',
      authorizationUrl: 'https://acme.cloudflareaccess.com/cdn-cgi/access/sso/oidc/cid/authorization',
      tokenUrl: 'https://acme.cloudflareaccess.com/cdn-cgi/access/sso/oidc/cid/token',
      jwksUrl: 'https://acme.cloudflareaccess.com/cdn-cgi/access/sso/oidc/cid/jwks',
    });
  });
});

describe('shorterSession', () => {
  it("keeps a policy's own session when it is shorter than the stack's, else the stack's", () => {
    expect(shorterSession('8h', '12h')).toBe('8h');
    expect(shorterSession('24h', '12h')).toBe('12h');
    expect(shorterSession(undefined, '12h')).toBe('12h');
    expect(shorterSession('90m', '1h30m')).toBe('1h30m');
  });
});

describe('AccessApp', () => {
  let mocked: MockedStack;
  let access: AccessApp;

  beforeAll(async () => {
    mocked = await startMockedStack('dev');
    access = new AccessApp('access', {
      ...baseArgs,
      policies: [
        { name: 'Blocked', decision: 'deny', include: [{ email: 'mallory@example.com' }] },
        { name: 'Staff', decision: 'allow', include: [{ emailDomain: 'example.com' }], sessionDuration: '8h' },
      ],
    });
    await mocked.settled();
  });

  it('declares one policy per entry, named and mapped, and attaches them in order', () => {
    const policies = mocked.resourcesOfType(TYPES.accessPolicy);
    expect(policies.map(({ name, inputs }) => [name, inputs.name, inputs.decision])).toEqual([
      ['access-policy-blocked', 'secure-mcp-dev-policy-blocked', 'deny'],
      ['access-policy-staff', 'secure-mcp-dev-policy-staff', 'allow'],
    ]);
    expect(policies[1]?.inputs).toMatchObject({
      includes: [{ emailDomain: { domain: 'example.com' } }],
      sessionDuration: '8h',
    });
    // The stack's session on every policy that sets none; the SaaS app has no session of its own in Access.
    expect(policies[0]?.inputs.sessionDuration).toBe('12h');
    const [app] = mocked.resourcesOfType(TYPES.accessApplication);
    expect(app?.inputs).not.toHaveProperty('sessionDuration');
    expect(app?.inputs).toMatchObject({
      policies: [
        { id: 'access-policy-blocked-id', precedence: 1 },
        { id: 'access-policy-staff-id', precedence: 2 },
      ],
    });
  });

  it('accepts only the pinned identity provider, and goes straight to it', () => {
    const [app] = mocked.resourcesOfType(TYPES.accessApplication);
    expect(app?.inputs).toMatchObject({
      allowedIdps: ['5f0c8a4e-3d1b-4c6a-9e2f-7b8d9c0a1b2c'],
      autoRedirectToIdentity: true,
    });
  });

  it('outputs the client id in the clear and the client secret as a secret', async () => {
    expect(await valueOf(access.clientId)).toBe(MOCK_CLIENT_ID);
    expect(await pulumi.isSecret(access.clientId)).toBe(false);
    expect(await valueOf(access.clientSecret)).toBe(MOCK_CLIENT_SECRET);
    expect(await pulumi.isSecret(access.clientSecret)).toBe(true);
  });

  it('outputs the OIDC endpoints of the issued client', async () => {
    const expected = accessOidcEndpoints('acme', MOCK_CLIENT_ID);
    expect(
      await valueOf(pulumi.all([access.issuer, access.authorizationUrl, access.tokenUrl, access.jwksUrl])),
    ).toEqual([expected.issuer, expected.authorizationUrl, expected.tokenUrl, expected.jwksUrl]);
  });

  it('refuses an empty policy list, and names that collide as resource names', () => {
    expect(() => new AccessApp('none', { ...baseArgs, policies: [] })).toThrow(/nobody could sign in/);
    expect(
      () =>
        new AccessApp('clash', {
          ...baseArgs,
          policies: [
            { name: 'On call', decision: 'allow', include: [{ everyone: true }] },
            { name: 'on-call', decision: 'allow', include: [{ everyone: true }] },
          ],
        }),
    ).toThrow(/"on-call" and "On call" both become "on-call"/);
  });

  it('refuses, before declaring anything, a group rule the pinned provider cannot express', async () => {
    expect(
      () =>
        new AccessApp('otp', {
          ...baseArgs,
          identityProvider: { ...baseArgs.identityProvider, type: 'onetimepin' },
          policies: [
            { name: 'no-contractors', decision: 'deny', include: [{ group: 'contractors' }] },
            { name: 'staff', decision: 'allow', include: [{ emailDomain: 'example.com' }] },
          ],
        }),
    ).toThrow(/Access policy "no-contractors": group "contractors": one-time PIN has no groups/);
    await mocked.settled();
    expect(mocked.registered.filter((resource) => resource.name.startsWith('otp-'))).toEqual([]);
  });
});
