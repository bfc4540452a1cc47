import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { CONFIG_KEYS, parseStackConfig, StackConfigError } from './config.ts';

const ACCOUNT_ID = '0123456789abcdef0123456789abcdef';
const ZONE_ID = 'fedcba9876543210fedcba9876543210';
const BASE_DIGEST = `sha256:${'b'.repeat(64)}`;
const IDP = '5f0c8a4e-3d1b-4c6a-9e2f-7b8d9c0a1b2c';
const minimal = {
  accountId: ACCOUNT_ID,
  accessTeamName: 'acme',
  workersDevSubdomain: 'acme-sub',
  identityProviderId: IDP,
  identityProviderType: 'okta',
  containerBaseImage: `node:24-bookworm-slim@${BASE_DIGEST}`,
};
const BASE_IMAGE = { image: 'node:24-bookworm-slim', digest: BASE_DIGEST };

function problemsOf(raw: Record<string, string | undefined>): readonly string[] {
  try {
    parseStackConfig(raw);
  } catch (error) {
    if (error instanceof StackConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a StackConfigError');
}

describe('parseStackConfig', () => {
  it('accepts the minimal workers.dev configuration and fills in defaults', () => {
    expect(parseStackConfig(minimal)).toEqual({
      accountId: ACCOUNT_ID,
      accessTeamName: 'acme',
      route: { kind: 'workersDev', subdomain: 'acme-sub' },
      sessionDuration: '24h',
      upstreamUrl: undefined,
      identityProvider: { type: 'okta', id: IDP, groupsClaim: 'groups', registeredClaims: [] },
      autoRedirectToIdentity: true,
      signIn: { groupsField: 'name', nonce: 'required' },
      definitionDrift: 'hide',
      approvalWait: '5m',
      container: { instanceType: 'basic', maxInstances: 10, baseImage: BASE_IMAGE, buildArgs: {}, workerSettings: {} },
    });
  });

  it('takes an approvalWait from 1s to 1h, and refuses anything else', () => {
    expect(parseStackConfig({ ...minimal, approvalWait: '90s' }).approvalWait).toBe('90s');
    expect(parseStackConfig({ ...minimal, approvalWait: '1h' }).approvalWait).toBe('1h');
    expect(problemsOf({ ...minimal, approvalWait: '2h' })).toEqual([
      'approvalWait is "2h", but it must be a duration from 1s to 1h, like 90s, 5m or 1h. Set it: pulumi config set approvalWait <value>',
    ]);
    expect(problemsOf({ ...minimal, approvalWait: 'soon' })).toHaveLength(1);
  });

  it('takes warn for definitionDrift and refuses anything but hide or warn', () => {
    expect(parseStackConfig({ ...minimal, definitionDrift: 'warn' }).definitionDrift).toBe('warn');
    expect(problemsOf({ ...minimal, definitionDrift: 'show' })).toEqual([
      'definitionDrift is "show", but it must be hide or warn. Set it: pulumi config set definitionDrift <value>',
    ]);
  });

  it('pins a generic OIDC provider with its registered claims, and the sign-in settings', () => {
    const config = parseStackConfig({
      ...minimal,
      identityProviderType: 'oidc',
      identityProviderGroupsClaim: 'roles',
      identityProviderClaims: 'roles, department',
      identityProviderAutoRedirect: 'false',
      groupsClaimField: 'email',
      accessNonce: 'if-present',
    });
    expect(config.identityProvider).toEqual({
      type: 'oidc',
      id: IDP,
      groupsClaim: 'roles',
      registeredClaims: ['roles', 'department'],
    });
    expect(config.autoRedirectToIdentity).toBe(false);
    expect(config.signIn).toEqual({ groupsField: 'email', nonce: 'if-present' });
  });

  it.each([
    ['azureAD', 'id'],
    ['google-apps', 'email'],
    ['github', 'name'],
    ['onetimepin', 'name'],
  ])('matches tool policies on the field %s groups are written with in Access rules (%s)', (type, field) => {
    expect(parseStackConfig({ ...minimal, identityProviderType: type }).signIn.groupsField).toBe(field);
  });

  it('wants the identity provider, id and kind, on every stack', () => {
    const { identityProviderId: _id, identityProviderType: _type, ...withoutProvider } = minimal;
    expect(problemsOf(withoutProvider)).toEqual([
      expect.stringMatching(/^identityProviderId is missing: .*pulumi config set identityProviderId <value>/),
      expect.stringMatching(/^identityProviderType is missing: .*okta, azureAD, google-apps/),
    ]);
  });

  it('refuses claim settings for a provider that has its own group selector', () => {
    expect(problemsOf({ ...minimal, identityProviderClaims: 'groups' })).toEqual([
      expect.stringMatching(/^identityProviderClaims is set, but it is for generic OIDC or SAML providers only; Okta/),
    ]);
  });

  it('sizes the containers and picks the stdio server from config', () => {
    const config = parseStackConfig({
      ...minimal,
      containerInstanceType: 'standard-2',
      containerMaxInstances: '40',
      mcpServerPackage: 'some-mcp-server@1.2.3',
      mcpServerCommand: '["/opt/mcp-server/node_modules/.bin/some-mcp-server","--stdio"]',
    });
    expect(config.container).toEqual({
      instanceType: 'standard-2',
      maxInstances: 40,
      baseImage: BASE_IMAGE,
      buildArgs: {
        MCP_SERVER_PACKAGE: 'some-mcp-server@1.2.3',
        MCP_SERVER_COMMAND: '["/opt/mcp-server/node_modules/.bin/some-mcp-server","--stdio"]',
      },
      workerSettings: {},
    });
  });

  it('passes the container class settings on, checked as the Worker checks them', () => {
    const config = parseStackConfig({
      ...minimal,
      containerScope: 'tenant',
      containerSleepAfter: '30m',
      containerAllowedHosts: 'api.github.com, *.example.com',
    });
    expect(config.container?.workerSettings).toEqual({
      MCP_CONTAINER_SCOPE: 'tenant',
      MCP_CONTAINER_SLEEP_AFTER: '30m',
      MCP_CONTAINER_ALLOWED_HOSTS: 'api.github.com,*.example.com',
    });
  });

  it('builds no container when upstreamUrl is set, and says so for container keys', () => {
    const { containerBaseImage: _, ...withoutContainer } = minimal;
    expect(
      parseStackConfig({ ...withoutContainer, upstreamUrl: 'https://mcp.example.com/mcp' }).container,
    ).toBeUndefined();
    expect(
      problemsOf({ ...withoutContainer, upstreamUrl: 'https://mcp.example.com/mcp', containerMaxInstances: '5' }),
    ).toEqual([expect.stringMatching(/^containerMaxInstances is set, but upstreamUrl sends MCP traffic elsewhere/)]);
  });

  it('wants the base image pinned by digest whenever a container is built, saying where to find the digest', () => {
    const { containerBaseImage: _, ...withoutBase } = minimal;
    expect(problemsOf(withoutBase)).toEqual([
      expect.stringMatching(
        /^containerBaseImage is missing: .*@sha256:<64 hex> .*docker buildx imagetools inspect .*pulumi config set containerBaseImage/,
      ),
    ]);
    expect(problemsOf({ ...minimal, containerBaseImage: 'node:24-bookworm-slim' })).toEqual([
      expect.stringMatching(/^containerBaseImage is "node:24-bookworm-slim", but it must be an image pinned by digest/),
    ]);
    expect(
      parseStackConfig({ ...minimal, containerBaseImage: `127.0.0.1:5000/node-base@${BASE_DIGEST}` }).container
        ?.baseImage,
    ).toEqual({
      image: '127.0.0.1:5000/node-base',
      digest: BASE_DIGEST,
    });
  });

  it('wants the server package and its command together', () => {
    expect(problemsOf({ ...minimal, mcpServerPackage: 'some-mcp-server@1.2.3' })).toEqual([
      expect.stringMatching(/go together/),
    ]);
  });

  it('accepts a custom domain and every optional key', () => {
    const config = parseStackConfig({
      accountId: ACCOUNT_ID,
      accessTeamName: 'acme',
      customDomain: 'mcp.example.com',
      customDomainZoneId: ZONE_ID,
      sessionDuration: '8h30m',
      upstreamUrl: 'https://mcp.internal.example.com/mcp',
      identityProviderId: IDP,
      identityProviderType: 'saml',
      identityProviderClaims: 'groups',
    });
    expect(config.route).toEqual({ kind: 'customDomain', hostname: 'mcp.example.com', zoneId: ZONE_ID });
    expect(config.sessionDuration).toBe('8h30m');
    expect(config.upstreamUrl).toBe('https://mcp.internal.example.com/mcp');
  });

  it('lists every missing key at once, each with the command that sets it', () => {
    const problems = problemsOf({});
    expect(problems).toHaveLength(6);
    for (const [problem, key] of [
      [problems[0], 'accountId'],
      [problems[1], 'accessTeamName'],
      [problems[2], 'workersDevSubdomain'],
      [problems[3], 'identityProviderId'],
      [problems[4], 'identityProviderType'],
      [problems[5], 'containerBaseImage'],
    ] as const) {
      expect(problem).toMatch(new RegExp(`^${key} is missing: .*pulumi config set ${key} <value>`));
    }
    expect(() => parseStackConfig({})).toThrow(/The stack configuration has 6 problems:\n {2}- accountId is missing/);
  });

  it('treats a blank value as missing', () => {
    expect(problemsOf({ ...minimal, accountId: '  ' })).toEqual([expect.stringMatching(/^accountId is missing/)]);
  });

  it.each([
    ['accountId', 'REPLACE-WITH-YOUR-32-HEX-ACCOUNT-ID', /32 lowercase hex/],
    ['accessTeamName', 'acme.cloudflareaccess.com', /only the team name \(acme\)/],
    ['workersDevSubdomain', 'acme-sub.workers.dev', /only the subdomain \(acme-sub\)/],
    ['sessionDuration', '1 day', /a duration such as 24h/],
    ['upstreamUrl', 'http://mcp.example.com/mcp', /https URL/],
    ['upstreamUrl', 'https://user:pw@mcp.example.com/mcp', /credentials/],
    ['upstreamUrl', 'not a url', /not a URL/],
    ['identityProviderId', 'okta', /UUID/],
    ['identityProviderType', 'azuread', /spelt azureAD/],
    ['identityProviderType', 'entra', /one of okta, azureAD/],
    ['identityProviderAutoRedirect', 'yes', /true or false/],
    ['groupsClaimField', 'displayName', /one of name, id, email/],
    ['accessNonce', 'optional', /required or if-present/],
    ['containerInstanceType', 'huge', /one of lite, basic/],
    ['containerMaxInstances', '0', /at least 1/],
    ['containerMaxInstances', 'ten', /whole number/],
    ['containerScope', 'everyone', /user or tenant/],
    ['containerSleepAfter', '1 hour', /30s, 15m or 2h/],
    ['containerAllowedHosts', 'https://api.github.com', /is not a host name/],
  ])('explains a wrong %s (%j)', (key, value, why) => {
    // upstreamUrl takes the container's place, so the container keys go with it.
    const { containerBaseImage: _, ...withoutContainer } = minimal;
    const problems = problemsOf(
      key === 'upstreamUrl' ? { ...withoutContainer, [key]: value } : { ...minimal, [key]: value },
    );
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(
      new RegExp(`^${key} is ${JSON.stringify(value).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}, but`),
    );
    expect(problems[0]).toMatch(why);
  });

  it('refuses workers.dev and a custom domain together', () => {
    expect(problemsOf({ ...minimal, customDomain: 'mcp.example.com', customDomainZoneId: ZONE_ID })).toEqual([
      expect.stringMatching(/both set/),
    ]);
  });

  it('wants the zone of a custom domain', () => {
    const { workersDevSubdomain: _, ...withoutRoute } = minimal;
    expect(problemsOf({ ...withoutRoute, customDomain: 'mcp.example.com' })).toEqual([
      expect.stringMatching(/^customDomainZoneId is missing/),
    ]);
    expect(
      problemsOf({ ...withoutRoute, customDomain: 'https://mcp.example.com/', customDomainZoneId: ZONE_ID }),
    ).toEqual([expect.stringMatching(/^customDomain is .*no scheme, no path/)]);
  });

  it('names keys it does not know, so a typo does not pass silently', () => {
    expect(problemsOf({ ...minimal, workerDevSubdomain: 'acme' })).toEqual([
      expect.stringMatching(
        /^workerDevSubdomain is not a setting of this program .*pulumi config rm workerDevSubdomain/,
      ),
    ]);
  });
});

describe('the shipped stack files', () => {
  it.each(['dev', 'prod', 'tenant-acme'])(
    'Pulumi.%s.yaml uses only known keys, holds no secret, and is valid once its marked placeholders are replaced',
    async (stack) => {
      const text = await readFile(new URL(`../Pulumi.${stack}.yaml`, import.meta.url), 'utf8');
      const { config } = parseYaml(text) as { config: Record<string, unknown> };
      const raw = Object.fromEntries(
        Object.entries(config).map(([key, value]) => [key.replace(/^secure-mcp:/, ''), String(value)]),
      );
      expect(Object.keys(config).every((key) => key.startsWith('secure-mcp:'))).toBe(true);
      expect(Object.keys(raw).every((key) => key in CONFIG_KEYS)).toBe(true);
      expect(text).not.toMatch(/secure:/); // no encrypted values: the examples hold no secrets
      const problems = problemsOf(raw);
      expect(problems.length).toBeGreaterThan(0);
      for (const problem of problems) expect(problem).toMatch(/^\w+ is "REPLACE-/);
    },
  );
});
