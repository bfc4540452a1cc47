/**
 * The secure-mcp deployment: Cloudflare Access in front of a Worker that serves MCP, and the
 * per-user containers that run the stdio MCP server.
 *
 * - `AccessApp`: the Access policies of this stack (`policies/access.yaml`) and the Access for
 *   SaaS OIDC application the Worker signs people in through.
 * - `GatewaySecrets`: the Worker's random keys (cookie, identity token, operator token).
 * - `McpWorker`: the Worker with its KV namespace, bindings and public URL.
 * - `McpContainer`: the bridge image and the Containers application, unless the stack sends
 *   MCP traffic to an `upstreamUrl` it already runs.
 *
 * Stack outputs are this module's named exports (an ES module; see Pulumi.yaml).
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as pulumi from '@pulumi/pulumi';
import { buildBridge } from '../container/build.ts';
import { accessPoliciesFor } from '../policies/access.ts';
import { buildWorker } from '../worker/build.ts';
import { AccessApp } from './access-app.ts';
import { readStackConfig, signInBindings } from './config.ts';
import { GatewaySecrets } from './gateway-secrets.ts';
import { BRIDGE_CONTAINER_CLASS, McpContainer } from './mcp-container.ts';
import { McpWorker, workerPublicUrl } from './mcp-worker.ts';
import { physicalName } from './naming.ts';
import { stageWorkerBundle } from './stage-worker-bundle.ts';

const config = readStackConfig();
const repositoryRoot = fileURLToPath(new URL('..', import.meta.url));

// The public URL comes from configuration, so the Access app's redirect URI and the
// Worker's PUBLIC_URL are both known before either resource exists.
const scriptName = physicalName('gateway');
const publicUrl = workerPublicUrl(scriptName, config.route);

const access = new AccessApp('access', {
  accountId: config.accountId,
  teamName: config.accessTeamName,
  redirectUri: `${publicUrl}/callback`,
  sessionDuration: config.sessionDuration,
  policies: accessPoliciesFor(pulumi.getStack()),
  identityProvider: config.identityProvider,
  autoRedirectToIdentity: config.autoRedirectToIdentity,
});

const secrets = new GatewaySecrets('gateway-secrets');

const containerName = physicalName('bridge');
const worker = new McpWorker('gateway', {
  accountId: config.accountId,
  scriptName,
  route: config.route,
  bundle: await stageWorkerBundle(await buildWorker()),
  access,
  upstreamUrl: config.upstreamUrl,
  secrets: secrets.bindings,
  containerClass: config.container ? { ...BRIDGE_CONTAINER_CLASS, applicationName: containerName } : undefined,
  settings: {
    DEFINITION_DRIFT: config.definitionDrift,
    APPROVAL_WAIT: config.approvalWait,
    ...config.container?.workerSettings,
    ...signInBindings(config.signIn),
  },
});

// The Dockerfile copies the bridge bundle, so it is built first (the same build as `npm run build`).
if (config.container) await buildBridge();

const container = config.container
  ? new McpContainer('bridge', {
      accountId: config.accountId,
      name: containerName,
      // Absolute paths: Pulumi runs the program in infra/ (`main: infra/`), and @pulumi/docker
      // resolves a relative Dockerfile, and finds its ignore file, from there.
      build: {
        context: repositoryRoot,
        dockerfile: join(repositoryRoot, 'container', 'Dockerfile'),
        args: {
          NODE_IMAGE: config.container.baseImage.image,
          NODE_IMAGE_DIGEST: config.container.baseImage.digest,
          ...config.container.buildArgs,
        },
      },
      instanceType: config.container.instanceType,
      maxInstances: config.container.maxInstances,
      durableObjects: { scriptName: worker.script.scriptName, className: BRIDGE_CONTAINER_CLASS.className },
      // The application attaches to the Durable Object namespace this upload created (looked up in its version).
      workerVersionId: worker.script.versionId,
      after: [worker.script],
    })
  : undefined;

// The public route last, once the containers can start (wrangler also routes at the end of its deploy).
worker.serve(container ? [container.application] : []);

/** The MCP endpoint: what a client is given. */
export const mcpUrl = worker.mcpUrl;
/** The Access for SaaS app's OIDC client id (not a secret; the client secret stays in state). */
export const accessClientId = access.clientId;
/** The operator token for `npm run revoke-user` (a secret: `pulumi stack output adminToken --show-secrets`). */
export const adminToken = secrets.keys.adminToken;
/** The bridge image the containers run, by digest (absent when the stack uses `upstreamUrl`). */
export const containerImage = container?.imageDigest;
/** What a person needs to connect a client. */
export const connect = [
  `MCP server URL: ${worker.mcpUrl}`,
  'Clients that speak remote MCP with OAuth (Claude, Cursor, MCP Inspector): add a server with this URL;',
  'a browser opens to sign in with Cloudflare Access.',
  `stdio-only clients: npx -y mcp-remote@latest ${worker.mcpUrl}  (mcp-remote 0.1.16 or newer: CVE-2025-6514)`,
  `Check the deployment end to end: npm run smoke -- ${worker.mcpUrl}`,
].join('\n');
