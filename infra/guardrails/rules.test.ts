import { describe, expect, it } from 'vitest';
import {
  acceptsUnpinnedProvider,
  appWithoutPolicy,
  DEFAULT_PRODUCTION_STACKS,
  durationSeconds,
  everyoneInProduction,
  GUARDED_TYPES,
  imageNotPinned,
  isProductionStack,
  providerNotPinned,
  secretInPlainText,
  sessionTooLong,
  type StackContext,
  stackOfUrn,
} from './rules.ts';

const prod: StackContext = { stack: 'prod', production: true, maxSessionDuration: '24h' };
const dev: StackContext = { stack: 'dev', production: false, maxSessionDuration: '24h' };
const accessPolicy = (props: Record<string, unknown>) => ({
  type: GUARDED_TYPES.accessPolicy,
  props: { name: 'p', ...props },
});
const digest = `registry.cloudflare.com/acc/secure-mcp-prod-bridge@sha256:${'a'.repeat(64)}`;

describe('everyoneInProduction', () => {
  const everyone = accessPolicy({
    decision: 'allow',
    includes: [{ emailDomain: { domain: 'example.com' } }, { everyone: {} }],
  });

  it('rejects an allow policy that includes everyone on a production stack', () => {
    expect(everyoneInProduction(everyone, prod)).toEqual([
      expect.stringMatching(/lets everyone .*stack "prod" is production/),
    ]);
  });

  it('allows it elsewhere, and allows named people or a deny policy in production', () => {
    expect(everyoneInProduction(everyone, dev)).toEqual([]);
    expect(
      everyoneInProduction(
        accessPolicy({ decision: 'allow', includes: [{ emailDomain: { domain: 'example.com' } }] }),
        prod,
      ),
    ).toEqual([]);
    expect(everyoneInProduction(accessPolicy({ decision: 'deny', includes: [{ everyone: {} }] }), prod)).toEqual([]);
  });
});

describe('sessionTooLong', () => {
  const app = (props: Record<string, unknown>) => ({
    type: GUARDED_TYPES.accessApplication,
    props: { name: 'app', ...props },
  });

  it('rejects a policy session over the maximum', () => {
    expect(sessionTooLong(accessPolicy({ sessionDuration: '720h' }), prod)).toEqual([
      expect.stringMatching(/"p" keeps a session for 720h, longer than the maximum 24h/),
    ]);
    expect(sessionTooLong(accessPolicy({ sessionDuration: '24h1s' }), prod)).toHaveLength(1);
  });

  it('rejects an allow policy with no session, which the maximum would not bound', () => {
    expect(sessionTooLong(accessPolicy({ decision: 'allow' }), prod)).toEqual([
      expect.stringMatching(/"p" lets people in without a sessionDuration/),
    ]);
    expect(sessionTooLong(accessPolicy({ decision: 'deny' }), prod)).toEqual([]);
  });

  it('rejects a session set on an Access for SaaS application, where Access does not apply it', () => {
    expect(sessionTooLong(app({ type: 'saas', sessionDuration: '12h' }), prod)).toEqual([
      expect.stringMatching(/SaaS application "app" sets sessionDuration, which Access does not apply/),
    ]);
    expect(sessionTooLong(app({ type: 'saas' }), prod)).toEqual([]);
  });

  it('accepts a session at or under the maximum', () => {
    expect(sessionTooLong(accessPolicy({ decision: 'allow', sessionDuration: '24h' }), prod)).toEqual([]);
    expect(sessionTooLong(accessPolicy({ sessionDuration: '90m' }), { ...prod, maxSessionDuration: '2h' })).toEqual([]);
  });

  it('says so when a duration is not one', () => {
    expect(sessionTooLong(accessPolicy({ sessionDuration: '1 day' }), prod)).toEqual([
      expect.stringMatching(/not a duration/),
    ]);
    expect(sessionTooLong(accessPolicy({ sessionDuration: '1h' }), { ...prod, maxSessionDuration: 'forever' })).toEqual(
      [expect.stringMatching(/maxSessionDuration "forever"/)],
    );
  });
});

describe('appWithoutPolicy', () => {
  it('rejects an Access application with no policy, accepts one with a policy', () => {
    const app = (policies: unknown) => ({ type: GUARDED_TYPES.accessApplication, props: { name: 'app', policies } });
    expect(appWithoutPolicy(app(undefined))).toEqual([expect.stringMatching(/"app" has no Access policy/)]);
    expect(appWithoutPolicy(app([]))).toHaveLength(1);
    expect(appWithoutPolicy(app([{ id: 'p1', precedence: 1 }]))).toEqual([]);
  });
});

const OKTA = '5f0c8a4e-3d1b-4c6a-9e2f-7b8d9c0a1b2c';
const ONE_TIME_PIN = '0c7a2c4e-0000-4000-8000-0000000000a1';
const accessApp = (props: Record<string, unknown>) => ({
  type: GUARDED_TYPES.accessApplication,
  props: { name: 'app', policies: [{ id: 'p1', precedence: 1 }], ...props },
});

describe('providerNotPinned', () => {
  it('rejects a production application that accepts every provider on the account', () => {
    expect(providerNotPinned(accessApp({}), prod)).toEqual([
      expect.stringMatching(/"app" accepts every identity provider on the account \(no allowedIdps\)/),
    ]);
    expect(providerNotPinned(accessApp({ allowedIdps: [] }), prod)).toHaveLength(1);
    expect(providerNotPinned(accessApp({ allowedIdps: [OKTA] }), prod)).toEqual([]);
    expect(providerNotPinned(accessApp({}), dev)).toEqual([]);
  });

  it('rejects a direct redirect unless exactly one provider is allowed, on any stack', () => {
    expect(
      providerNotPinned(accessApp({ allowedIdps: [OKTA, ONE_TIME_PIN], autoRedirectToIdentity: true }), dev),
    ).toEqual([expect.stringMatching(/only with exactly one provider in allowedIdps \(it has 2\)/)]);
    expect(providerNotPinned(accessApp({ allowedIdps: [OKTA], autoRedirectToIdentity: true }), dev)).toEqual([]);
  });
});

describe('acceptsUnpinnedProvider', () => {
  const contractors = accessPolicy({
    decision: 'deny',
    includes: [{ okta: { name: 'contractors', identityProviderId: OKTA } }],
  });
  const staff = accessPolicy({ decision: 'allow', includes: [{ emailDomain: { domain: 'example.com' } }] });

  it('rejects a production application that also accepts a provider no group rule refers to', () => {
    expect(
      acceptsUnpinnedProvider([contractors, staff, accessApp({ allowedIdps: [OKTA, ONE_TIME_PIN] })], prod),
    ).toEqual([
      expect.stringMatching(
        new RegExp(`"app" accepts identity provider ${ONE_TIME_PIN}, which none of the stack's group rules refer to`),
      ),
    ]);
  });

  it('accepts the pinned provider alone, a stack without group rules, and any other stack', () => {
    expect(acceptsUnpinnedProvider([contractors, staff, accessApp({ allowedIdps: [OKTA] })], prod)).toEqual([]);
    expect(acceptsUnpinnedProvider([staff, accessApp({ allowedIdps: [ONE_TIME_PIN] })], prod)).toEqual([]);
    expect(acceptsUnpinnedProvider([contractors, accessApp({ allowedIdps: [OKTA, ONE_TIME_PIN] })], dev)).toEqual([]);
  });

  it('reads the provider of every kind of group selector, in require and exclude too', () => {
    for (const selector of [
      { azureAd: { id: 'g', identityProviderId: OKTA } },
      { gsuite: { email: 'g@example.com', identityProviderId: OKTA } },
      { githubOrganization: { name: 'org', identityProviderId: OKTA } },
      { saml: { attributeName: 'groups', attributeValue: 'g', identityProviderId: OKTA } },
      { oidc: { claimName: 'groups', claimValue: 'g', identityProviderId: OKTA } },
    ]) {
      const policy = accessPolicy({ decision: 'allow', includes: [{ everyone: {} }], excludes: [selector] });
      expect(acceptsUnpinnedProvider([policy, accessApp({ allowedIdps: [OKTA, ONE_TIME_PIN] })], prod)).toHaveLength(1);
    }
  });
});

describe('secretInPlainText', () => {
  const script = (bindings: unknown[]) => ({ type: GUARDED_TYPES.workerScript, props: { bindings } });

  it.each([
    'COOKIE_SIGNING_KEY',
    'ADMIN_TOKEN',
    'IDENTITY_SIGNING_KEY',
    'DB_PASSWORD',
    'STRIPE_API_KEY',
    'PRIVATE_PEM',
    'KEY',
  ])('rejects a plain_text binding named %s', (name) => {
    expect(secretInPlainText(script([{ type: 'plain_text', name, text: 'x' }]))).toEqual([
      expect.stringMatching(new RegExp(`${name} is plain_text`)),
    ]);
  });

  it('accepts the same names as secret_text, and ordinary plain_text names', () => {
    expect(
      secretInPlainText(
        script([
          { type: 'secret_text', name: 'COOKIE_SIGNING_KEY', text: 'x' },
          { type: 'plain_text', name: 'PUBLIC_URL', text: 'https://x' },
          { type: 'plain_text', name: 'UPSTREAM_URL', text: 'https://y' },
          { type: 'plain_text', name: 'REDIRECT_HOST_ALLOWLIST', text: 'a.example' },
          { type: 'plain_text', name: 'MONKEY_COUNT', text: '3' },
          { type: 'plain_text', name: 'MCP_CONTAINER_SECRET_NAMES', text: 'GITHUB_TOKEN' },
        ]),
      ),
    ).toEqual([]);
  });
});

describe('imageNotPinned', () => {
  const app = (image: unknown) => ({ type: GUARDED_TYPES.containerApplication, props: { name: 'bridge', image } });

  it.each([
    'registry.cloudflare.com/acc/bridge:latest',
    'registry.cloudflare.com/acc/bridge',
    `bridge@sha256:${'a'.repeat(10)}`,
  ])('rejects %s', (image) => {
    expect(imageNotPinned(app(image))).toEqual([expect.stringMatching(/not pinned by digest/)]);
  });

  it('accepts a digest, and waits for a digest a preview does not know yet', () => {
    expect(imageNotPinned(app(digest))).toEqual([]);
    expect(imageNotPinned(app(undefined))).toEqual([]);
    expect(imageNotPinned(app('04da6b54-80e4-46f7-96ec-b56ff0331ba9'))).toEqual([]);
  });
});

describe('stack context', () => {
  it('counts prod, production and tenants as production by name, and any stack tagged so', () => {
    const none = new Map<string, string>();
    expect(
      ['prod', 'production', 'tenant-acme'].map((stack) => isProductionStack(stack, none, DEFAULT_PRODUCTION_STACKS)),
    ).toEqual([true, true, true]);
    expect(
      ['dev', 'pr-42', 'prod-copy'].map((stack) => isProductionStack(stack, none, DEFAULT_PRODUCTION_STACKS)),
    ).toEqual([false, false, false]);
    expect(isProductionStack('dev', new Map([['environment', 'production']]), DEFAULT_PRODUCTION_STACKS)).toBe(true);
  });

  it('reads the stack from a URN and seconds from a duration', () => {
    expect(
      stackOfUrn('urn:pulumi:tenant-acme::secure-mcp::cloudflare:index/workersScript:WorkersScript::gateway-script'),
    ).toBe('tenant-acme');
    expect(durationSeconds('1h30m')).toBe(5400);
    expect(durationSeconds('500ms')).toBe(0.5);
    expect(durationSeconds('1d')).toBeUndefined();
  });
});
