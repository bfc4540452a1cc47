/**
 * The secure-mcp deployment: Cloudflare Access in front of a Worker that serves MCP.
 *
 * This first program declares the Access policies and the Access for SaaS OIDC app
 * (`AccessApp`), and the Worker with its KV namespace and public URL (`McpWorker`). The
 * container that runs a stdio MCP server arrives as its own component; until then the
 * Worker forwards to `upstreamUrl`.
 *
 * Stack outputs are this module's named exports (an ES module; see Pulumi.yaml).
 */
import { accessPolicies } from '../policies/access.ts';
import { buildWorker } from '../worker/build.ts';
import { AccessApp } from './access-app.ts';
import { readStackConfig } from './config.ts';
import { McpWorker, workerPublicUrl } from './mcp-worker.ts';
import { physicalName } from './naming.ts';

const config = readStackConfig();

// The public URL comes from configuration, so the Access app's redirect URI and the
// Worker's PUBLIC_URL are both known before either resource exists.
const scriptName = physicalName('gateway');
const publicUrl = workerPublicUrl(scriptName, config.route);

const access = new AccessApp('access', {
  accountId: config.accountId,
  teamName: config.accessTeamName,
  redirectUri: `${publicUrl}/callback`,
  sessionDuration: config.sessionDuration,
  policies: accessPolicies,
  identityProviderId: config.identityProviderId,
});

const worker = new McpWorker('gateway', {
  accountId: config.accountId,
  scriptName,
  route: config.route,
  bundle: await buildWorker(),
  access,
  upstreamUrl: config.upstreamUrl,
});

/** The MCP endpoint: what a client is given. */
export const mcpUrl = worker.mcpUrl;
/** The Access for SaaS app's OIDC client id (not a secret; the client secret stays in state). */
export const accessClientId = access.clientId;
/** What a person needs to connect a client. */
export const connect = [
  `MCP server URL: ${worker.mcpUrl}`,
  'Clients that speak remote MCP with OAuth (Claude, Cursor, MCP Inspector): add a server with this URL;',
  'a browser opens to sign in with Cloudflare Access.',
  `stdio-only clients: npx -y mcp-remote@latest ${worker.mcpUrl}  (mcp-remote 0.1.16 or newer: CVE-2025-6514)`,
].join('\n');
