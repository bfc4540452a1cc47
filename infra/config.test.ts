import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { CONFIG_KEYS, parseStackConfig, StackConfigError } from './config.ts';

const ACCOUNT_ID = '0123456789abcdef0123456789abcdef';
const ZONE_ID = 'fedcba9876543210fedcba9876543210';
const minimal = { accountId: ACCOUNT_ID, accessTeamName: 'acme', workersDevSubdomain: 'acme-sub' };

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
      identityProviderId: undefined,
    });
  });

  it('accepts a custom domain and every optional key', () => {
    const config = parseStackConfig({
      accountId: ACCOUNT_ID,
      accessTeamName: 'acme',
      customDomain: 'mcp.example.com',
      customDomainZoneId: ZONE_ID,
      sessionDuration: '8h30m',
      upstreamUrl: 'https://mcp.internal.example.com/mcp',
      identityProviderId: '5f0c8a4e-3d1b-4c6a-9e2f-7b8d9c0a1b2c',
    });
    expect(config.route).toEqual({ kind: 'customDomain', hostname: 'mcp.example.com', zoneId: ZONE_ID });
    expect(config.sessionDuration).toBe('8h30m');
    expect(config.upstreamUrl).toBe('https://mcp.internal.example.com/mcp');
  });

  it('lists every missing key at once, each with the command that sets it', () => {
    const problems = problemsOf({});
    expect(problems).toHaveLength(3);
    for (const [problem, key] of [
      [problems[0], 'accountId'],
      [problems[1], 'accessTeamName'],
      [problems[2], 'workersDevSubdomain'],
    ] as const) {
      expect(problem).toMatch(new RegExp(`^${key} is missing: .*pulumi config set ${key} <value>`));
    }
    expect(() => parseStackConfig({})).toThrow(/The stack configuration has 3 problems:\n {2}- accountId is missing/);
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
  ])('explains a wrong %s (%j)', (key, value, why) => {
    const problems = problemsOf({ ...minimal, [key]: value });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(new RegExp(`^${key} is ${JSON.stringify(value).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}, but`));
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
    expect(problemsOf({ ...withoutRoute, customDomain: 'https://mcp.example.com/', customDomainZoneId: ZONE_ID })).toEqual([
      expect.stringMatching(/^customDomain is .*no scheme, no path/),
    ]);
  });

  it('names keys it does not know, so a typo does not pass silently', () => {
    expect(problemsOf({ ...minimal, workerDevSubdomain: 'acme' })).toEqual([
      expect.stringMatching(/^workerDevSubdomain is not a setting of this program .*pulumi config rm workerDevSubdomain/),
    ]);
  });
});

describe('Pulumi.dev.yaml', () => {
  it('uses only known keys and is valid once its marked placeholders are replaced', async () => {
    const text = await readFile(new URL('../Pulumi.dev.yaml', import.meta.url), 'utf8');
    const raw = Object.fromEntries(
      [...text.matchAll(/^ {2}secure-mcp:(\w+): (.+)$/gm)].map(([, key, value]) => [key as string, value as string]),
    );
    expect(Object.keys(raw).every((key) => key in CONFIG_KEYS)).toBe(true);
    expect(text).not.toMatch(/secure:/); // no encrypted values: the example holds no secrets
    expect(problemsOf(raw)).toEqual([
      expect.stringMatching(/^accountId is "REPLACE-/),
      expect.stringMatching(/^identityProviderId is "REPLACE-/),
    ]);
  });
});
