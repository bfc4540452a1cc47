/**
 * `npm run smoke -- <mcp-url> [--no-sign-in] [--show-claims] [--allowed-tool echo --allowed-args '{"message":"hi"}'] [--denied-tool get-env]`
 *
 * What to run right after `pulumi up`: checks discovery and 401 semantics, then prints a URL
 * to open in your browser, waits for the sign-in to come back to a loopback address, lists the
 * tools, makes one allowed and one denied call, and prints a one-screen verdict. Exit code 0
 * when every check passed, 1 otherwise, 2 on wrong usage. `--no-sign-in` stops after discovery
 * (for CI, where nobody can sign in). `--show-claims` also prints the signed-in person's email and
 * groups as the gateway matches them, and the name and shape of every claim in Access's id_token
 * (never a token or another claim's value): the first-minute check on a real account.
 */
import { parseArgs } from 'node:util';
import { renderClaims, type GatewayIdentity } from './identity-claims.ts';
import { DEFAULT_ALLOWED_TOOL, DEFAULT_DENIED_TOOL, renderVerdict, runSmoke } from './run-smoke.ts';

function usage(problem: string): never {
  console.error(
    `${problem}\nUsage: npm run smoke -- <mcp-url> [--no-sign-in] [--show-claims] [--allowed-tool NAME --allowed-args JSON] [--denied-tool NAME --denied-args JSON]`,
  );
  process.exit(2);
}

function jsonObject(text: string | undefined, flag: string): Record<string, unknown> | undefined {
  if (text === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // Reported below.
  }
  return usage(`${flag} must be a JSON object, e.g. '{"message":"hi"}'`);
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    'no-sign-in': { type: 'boolean', default: false },
    'show-claims': { type: 'boolean', default: false },
    'allowed-tool': { type: 'string' },
    'allowed-args': { type: 'string' },
    'denied-tool': { type: 'string' },
    'denied-args': { type: 'string' },
  },
});
const [mcpUrl] = positionals;
if (!mcpUrl || positionals.length > 1) usage('Give exactly one MCP URL (pulumi stack output mcpUrl).');
if (!URL.canParse(mcpUrl)) usage(`${mcpUrl} is not a URL.`);
if (values['show-claims'] && values['no-sign-in']) usage('--show-claims needs a sign-in; leave out --no-sign-in.');
let identity: GatewayIdentity | undefined;

const checks = await runSmoke({
  mcpUrl,
  openAuthorizationUrl: values['no-sign-in']
    ? undefined
    : async (url) => {
        console.log('\nOpen this URL in your browser, approve the client and sign in with Cloudflare Access:\n');
        console.log(`  ${url.href}\n`);
        console.log('Waiting for the sign-in to come back (5 minutes)...\n');
      },
  allowedTool: {
    name: values['allowed-tool'] ?? DEFAULT_ALLOWED_TOOL.name,
    arguments:
      jsonObject(values['allowed-args'], '--allowed-args') ??
      (values['allowed-tool'] ? {} : DEFAULT_ALLOWED_TOOL.arguments),
  },
  deniedTool: {
    name: values['denied-tool'] ?? DEFAULT_DENIED_TOOL.name,
    arguments: jsonObject(values['denied-args'], '--denied-args') ?? DEFAULT_DENIED_TOOL.arguments,
  },
  onIdentity: values['show-claims'] ? (seen) => (identity = seen) : undefined,
});
if (identity) console.log(`${renderClaims(identity)}\n`);
console.log(renderVerdict(mcpUrl, checks));
process.exitCode = checks.every((check) => check.ok) ? 0 : 1;
