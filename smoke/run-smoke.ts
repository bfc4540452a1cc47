/**
 * The smoke test of a deployment, end to end: discovery and `401` semantics, a sign-in (a
 * person in their browser, or a script in tests), `tools/list`, one call the policy allows,
 * one it denies. Returns every check; `renderVerdict` makes the one-screen answer.
 */
import { auth } from '@modelcontextprotocol/sdk/client/auth.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { checkDiscovery } from './discovery.ts';
import { startLoopbackRedirect } from './loopback-redirect.ts';
import { fetchIdentity, type GatewayIdentity } from './identity-claims.ts';
import { expectThat, runCheck, type SmokeCheck } from './smoke-check.ts';
import { SmokeOAuthClient } from './smoke-oauth-client.ts';

export interface SmokeOptions {
  mcpUrl: string;
  /**
   * Opens the authorization URL in a browser, where a person (or a test) signs in; the
   * browser then lands on the smoke's loopback redirect URI. Absent: discovery only.
   */
  openAuthorizationUrl?: (url: URL) => Promise<void>;
  /** How long to wait for the sign-in. */
  signInTimeoutMs?: number;
  /** A tool the signed-in person may call, and its arguments. */
  allowedTool: { name: string; arguments: Record<string, unknown> };
  /** A tool the policy denies the signed-in person. */
  deniedTool: { name: string; arguments: Record<string, unknown> };
  /** Given: after signing in, read the person's identity and claim shapes from the gateway (`--show-claims`). */
  onIdentity?: (identity: GatewayIdentity) => void;
}

/** Default tools: those of the default stdio server and the shipped tool policy. */
export const DEFAULT_ALLOWED_TOOL = { name: 'echo', arguments: { message: 'secure-mcp smoke' } };
export const DEFAULT_DENIED_TOOL = { name: 'get-env', arguments: {} };

/**
 * Runs the smoke test.
 *
 * @example
 * ```ts
 * const checks = await runSmoke({ mcpUrl, openAuthorizationUrl: async (url) => console.log(url.href),
 *   allowedTool: DEFAULT_ALLOWED_TOOL, deniedTool: DEFAULT_DENIED_TOOL });
 * console.log(renderVerdict(mcpUrl, checks));
 * ```
 */
export async function runSmoke(options: SmokeOptions): Promise<SmokeCheck[]> {
  const { checks, discovered } = await checkDiscovery(options.mcpUrl);
  if (!options.openAuthorizationUrl) return checks;
  if (!discovered.authorizationServer) {
    checks.push({ name: 'Sign in', ok: false, detail: 'skipped: discovery failed, so there is nowhere to sign in' });
    return checks;
  }

  const loopback = await startLoopbackRedirect();
  const oauth = new SmokeOAuthClient(loopback.redirectUri, options.openAuthorizationUrl);
  const client = new Client({ name: 'secure-mcp-smoke', version: '1.0.0' });
  try {
    const signedIn = await runCheck('Sign in (consent, Access, token)', async () => {
      const first = await auth(oauth, { serverUrl: options.mcpUrl });
      if (first === 'AUTHORIZED') return 'already authorized';
      const redirect = await loopback.waitForRedirect(options.signInTimeoutMs ?? 5 * 60_000);
      const error = redirect.searchParams.get('error');
      expectThat(!error, `the gateway sent back ${error}: ${redirect.searchParams.get('error_description') ?? ''}`);
      expectThat(redirect.searchParams.get('state') === oauth.state(), 'the state that came back is not the one sent');
      const code = redirect.searchParams.get('code');
      expectThat(code, 'the redirect carried no authorization code');
      expectThat(
        (await auth(oauth, { serverUrl: options.mcpUrl, authorizationCode: code })) === 'AUTHORIZED',
        'the code was not exchanged',
      );
      return `token for ${options.mcpUrl} (expires in ${oauth.tokens()?.expires_in ?? '?'} s)`;
    });
    checks.push(signedIn);
    if (!signedIn.ok) return checks;
    const { onIdentity } = options;
    if (onIdentity) {
      checks.push(
        await runCheck('Your identity at the gateway (GET /mcp/identity)', async () => {
          const identity = await fetchIdentity(options.mcpUrl, oauth.tokens()!.access_token);
          onIdentity(identity);
          return `${identity.email}, ${identity.groups.length} group(s), ${Object.keys(identity.claims ?? {}).length} claims`;
        }),
      );
    }

    let listed: string[] = [];
    checks.push(
      await runCheck('Connect and tools/list', async () => {
        await client.connect(new StreamableHTTPClientTransport(new URL(options.mcpUrl), { authProvider: oauth }));
        listed = (await client.listTools()).tools.map((tool) => tool.name);
        expectThat(listed.length > 0, 'tools/list is empty: the policy allows this person nothing');
        return `${listed.length} tools`;
      }),
    );
    checks.push(
      await runCheck(`Allowed call: ${options.allowedTool.name}`, async () => {
        expectThat(
          listed.includes(options.allowedTool.name),
          `${options.allowedTool.name} is not in tools/list for this person`,
        );
        const result = await client.callTool({
          name: options.allowedTool.name,
          arguments: options.allowedTool.arguments,
        });
        expectThat(!result.isError, `the tool answered with an error: ${JSON.stringify(result.content).slice(0, 200)}`);
        return 'answered';
      }),
    );
    checks.push(
      await runCheck(`Denied call: ${options.deniedTool.name}`, async () => {
        expectThat(
          !listed.includes(options.deniedTool.name),
          `${options.deniedTool.name} is in tools/list, so the policy shows it to this person`,
        );
        let refusal: string;
        try {
          const result = await client.callTool({
            name: options.deniedTool.name,
            arguments: options.deniedTool.arguments,
          });
          refusal = result.isError ? JSON.stringify(result.content) : '';
        } catch (error) {
          refusal = error instanceof Error ? error.message : String(error);
        }
        expectThat(refusal, `${options.deniedTool.name} ran: the policy did not stop it`);
        expectThat(/denied|policy|not allowed/i.test(refusal), `refused, but not by policy: ${refusal.slice(0, 200)}`);
        return `refused: ${refusal.slice(0, 80)}`;
      }),
    );
    return checks;
  } finally {
    await client.close().catch(() => {});
    await loopback.close();
  }
}

/**
 * The one-screen verdict: one line per check, then the answer.
 *
 * @example
 * ```ts
 * console.log(renderVerdict(mcpUrl, checks)); // ✓ No token: 401 with resource metadata  401, …\nPASS …
 * ```
 */
export function renderVerdict(mcpUrl: string, checks: readonly SmokeCheck[]): string {
  const width = Math.max(...checks.map((check) => check.name.length));
  const failed = checks.filter((check) => !check.ok);
  return [
    `secure-mcp smoke test of ${mcpUrl}`,
    ...checks.map((check) => `${check.ok ? '✓' : '✗'} ${check.name.padEnd(width)}  ${check.detail}`),
    failed.length === 0
      ? `PASS: all ${checks.length} checks passed.`
      : `FAIL: ${failed.length} of ${checks.length} checks failed (first: ${failed[0]!.name}).`,
  ].join('\n');
}
