/**
 * `npm run smoke` against the local stack: the browser step is played by
 * `signInThroughGateway` (consent page, Access stand-in login), which then follows the
 * redirect to the smoke's loopback listener, as a person's browser would.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signInThroughGateway } from '../dev/client/gateway-sign-in.ts';
import { startPrivateStack } from '../dev/stack/private-stack.ts';
import { standInProfile } from '../dev/access-standin/profiles.ts';
import { accessPoliciesFor } from '../policies/access.ts';
import { checkDiscovery } from './discovery.ts';
import { renderClaims, type GatewayIdentity } from './identity-claims.ts';
import { DEFAULT_ALLOWED_TOOL, DEFAULT_DENIED_TOOL, renderVerdict, runSmoke } from './run-smoke.ts';

let stack: Awaited<ReturnType<typeof startPrivateStack>>;

beforeAll(async () => {
  stack = await startPrivateStack();
});
afterAll(() => stack?.cleanup());

/** A browser in which `email` signs in and is sent on to the smoke's redirect URI. */
function browserSigningInAs(email: string) {
  return async (authorizationUrl: URL) => {
    const result = await signInThroughGateway(authorizationUrl, email);
    if (result.outcome !== 'redirected')
      throw new Error(`sign-in as ${email}: ${result.outcome}${'status' in result ? ` (HTTP ${result.status})` : ''}`);
    await fetch(result.redirect);
  };
}

describe('the smoke test against the local stack', () => {
  it('passes every check for a person the policies let in, and says so on one screen', async () => {
    const checks = await runSmoke({
      mcpUrl: stack.mcpUrl,
      openAuthorizationUrl: browserSigningInAs('alice@example.com'),
      allowedTool: DEFAULT_ALLOWED_TOOL,
      deniedTool: DEFAULT_DENIED_TOOL,
    });
    expect(checks.filter((check) => !check.ok)).toEqual([]);
    expect(checks.map((check) => check.name)).toEqual([
      'The MCP URL is https (or loopback)',
      'No token: 401 with resource metadata',
      'Resource metadata names this URL and its authorization server',
      'Authorization server offers PKCE S256 and registration',
      'A made-up token: 401',
      'Sign in (consent, Access, token)',
      'Connect and tools/list',
      'Allowed call: echo',
      'Denied call: get-env',
    ]);
    const verdict = renderVerdict(stack.mcpUrl, checks);
    expect(verdict.split('\n')).toHaveLength(11);
    expect(verdict).toMatch(/\nPASS: all 9 checks passed\.$/);
  });

  it('fails, naming the check, when the tool it expects to be denied is allowed', async () => {
    const checks = await runSmoke({
      mcpUrl: stack.mcpUrl,
      openAuthorizationUrl: browserSigningInAs('alice@example.com'),
      allowedTool: DEFAULT_ALLOWED_TOOL,
      deniedTool: { name: 'echo', arguments: { message: 'x' } },
    });
    expect(checks.filter((check) => !check.ok)).toEqual([
      { name: 'Denied call: echo', ok: false, detail: expect.stringMatching(/echo is in tools\/list/) },
    ]);
    expect(renderVerdict(stack.mcpUrl, checks)).toMatch(/FAIL: 1 of 9 checks failed \(first: Denied call: echo\)\.$/);
  });

  it('fails the sign-in for a person Access refuses, and stops there', async () => {
    const checks = await runSmoke({
      mcpUrl: stack.mcpUrl,
      openAuthorizationUrl: browserSigningInAs('mallory@example.com'),
      allowedTool: DEFAULT_ALLOWED_TOOL,
      deniedTool: DEFAULT_DENIED_TOOL,
    });
    expect(checks.at(-1)).toEqual({
      name: 'Sign in (consent, Access, token)',
      ok: false,
      detail: expect.stringMatching(/refused/),
    });
    expect(checks.filter((check) => !check.ok)).toHaveLength(1);
  });

  it('--show-claims: shows the email and groups the gateway matches, and each claim by name and shape only', async () => {
    let identity: GatewayIdentity | undefined;
    const checks = await runSmoke({
      mcpUrl: stack.mcpUrl,
      openAuthorizationUrl: browserSigningInAs('bob@example.com'),
      allowedTool: DEFAULT_ALLOWED_TOOL,
      deniedTool: DEFAULT_DENIED_TOOL,
      onIdentity: (seen) => (identity = seen),
    });
    expect(checks.filter((check) => !check.ok)).toEqual([]);
    expect(checks.map((check) => check.name)).toContain('Your identity at the gateway (GET /mcp/identity)');
    const text = renderClaims(identity!);
    expect(text).toContain('  email   bob@example.com\n  groups  support\n');
    expect(text).toMatch(/\n {2}groups +a list of 1 string\n/);
    expect(text).toMatch(/\n {2}nonce +a string\n/);
    expect(text).toContain('The nonce came back: keep accessNonce=required');
    expect(text).not.toMatch(/eyJ|[0-9a-f]{8}-[0-9a-f]{4}-/); // no token, no sub
  });

  it('--show-claims: says what an Access that sends group objects and no name looks like', async () => {
    stack.access.rehearse({
      profile: standInProfile('google', { groups: 'objects', sendName: false }),
      policies: accessPoliciesFor('local'),
    });
    try {
      let identity: GatewayIdentity | undefined;
      await runSmoke({
        mcpUrl: stack.mcpUrl,
        openAuthorizationUrl: browserSigningInAs('bob@example.com'),
        allowedTool: DEFAULT_ALLOWED_TOOL,
        deniedTool: DEFAULT_DENIED_TOOL,
        onIdentity: (seen) => (identity = seen),
      });
      const text = renderClaims(identity!);
      expect(text).toMatch(/\n {2}groups +a list of 1 object with email, id, name\n/);
      expect(text).toContain('Groups arrive as objects');
      expect(text).toContain('No name claim');
    } finally {
      stack.access.rehearse({ profile: standInProfile('oidc') });
    }
  });

  it('fails discovery on a URL that is not a gateway MCP endpoint', async () => {
    const { checks } = await checkDiscovery(`${stack.workerUrl}/not-mcp`);
    expect(checks.find((check) => check.name === 'No token: 401 with resource metadata')).toMatchObject({ ok: false });
  });
});
