/**
 * `McpWorker`: the Worker that signs people in through Access and serves MCP, with the KV
 * namespace its OAuth provider keeps grants in, and its public URL (workers.dev or a custom
 * domain).
 *
 * The script is the esbuild bundle from `worker/build.ts`, the same bundle `wrangler dev`
 * serves locally. It is uploaded from its file with its SHA-256 (`contentFile` +
 * `contentSha256`): the hash is what drives an update, the provider refuses a file whose
 * hash differs, and the multi-megabyte bundle stays out of the state and out of diffs.
 */
import * as cloudflare from '@pulumi/cloudflare';
import * as pulumi from '@pulumi/pulumi';
import type { WorkerBundle } from '../worker/build.ts';
import type { WorkerRoute } from './config.ts';
import { physicalName } from './naming.ts';

/** Same as `worker/wrangler.jsonc`, so what runs locally is what deploys (a test checks they agree). */
export const COMPATIBILITY_DATE = '2026-11-01';
export const COMPATIBILITY_FLAGS = ['nodejs_compat', 'global_fetch_strictly_public'];

/** How the Worker signs people in: the Access for SaaS application's client and endpoints. */
export interface AccessSignIn {
  issuer: pulumi.Input<string>;
  clientId: pulumi.Input<string>;
  clientSecret: pulumi.Input<string>;
  authorizationUrl: pulumi.Input<string>;
  tokenUrl: pulumi.Input<string>;
  jwksUrl: pulumi.Input<string>;
}

export interface McpWorkerArgs {
  accountId: string;
  /** The Worker's name; on workers.dev also the first label of its hostname. */
  scriptName: string;
  route: WorkerRoute;
  bundle: WorkerBundle;
  access: AccessSignIn;
  /** Where MCP traffic goes (plain_text `UPSTREAM_URL`); unset, the binding is left out. */
  upstreamUrl: string | undefined;
}

/**
 * The Worker's public origin, known from configuration before anything exists. That is
 * what lets the Access app's redirect URI and the Worker's `PUBLIC_URL` be declared
 * without a cycle between the two. Pure.
 *
 * @example
 * ```ts
 * workerPublicUrl('secure-mcp-dev-gateway', { kind: 'workersDev', subdomain: 'acme' });
 * // 'https://secure-mcp-dev-gateway.acme.workers.dev'
 * ```
 */
export function workerPublicUrl(scriptName: string, route: WorkerRoute): string {
  return route.kind === 'workersDev'
    ? `https://${scriptName}.${route.subdomain}.workers.dev`
    : `https://${route.hostname}`;
}

/**
 * The Worker script, its KV namespace and its public route.
 *
 * @example
 * ```ts
 * const worker = new McpWorker('gateway', {
 *   accountId, scriptName: 'secure-mcp-dev-gateway', route: { kind: 'workersDev', subdomain: 'acme' },
 *   bundle: await buildWorker(), access: accessApp, upstreamUrl: undefined,
 * });
 * export const mcpUrl = worker.mcpUrl;
 * ```
 */
export class McpWorker extends pulumi.ComponentResource {
  readonly kvNamespace: cloudflare.WorkersKvNamespace;
  readonly script: cloudflare.WorkersScript;
  /** The bindings given to the script; every `secret_text` value is a Pulumi secret. */
  readonly bindings: cloudflare.types.input.WorkersScriptBinding[];
  /** Public origin, no trailing slash; the Worker's `PUBLIC_URL`. */
  readonly publicUrl: string;
  /** The MCP endpoint clients connect to. */
  readonly mcpUrl: string;

  constructor(name: string, args: McpWorkerArgs, opts?: pulumi.ComponentResourceOptions) {
    super('secure-mcp:index:McpWorker', name, {}, opts);
    this.publicUrl = workerPublicUrl(args.scriptName, args.route);
    this.mcpUrl = `${this.publicUrl}/mcp`;

    this.kvNamespace = new cloudflare.WorkersKvNamespace(
      `${name}-oauth-kv`,
      { accountId: args.accountId, title: physicalName('oauth-kv') },
      { parent: this },
    );

    const secretText = (bindingName: string, text: pulumi.Input<string>) => ({
      type: 'secret_text',
      name: bindingName,
      text: pulumi.secret(text),
    });
    this.bindings = [
      { type: 'kv_namespace', name: 'OAUTH_KV', namespaceId: this.kvNamespace.id },
      { type: 'plain_text', name: 'PUBLIC_URL', text: this.publicUrl },
      secretText('ACCESS_ISSUER', args.access.issuer),
      secretText('ACCESS_CLIENT_ID', args.access.clientId),
      secretText('ACCESS_CLIENT_SECRET', args.access.clientSecret),
      secretText('ACCESS_AUTHORIZATION_URL', args.access.authorizationUrl),
      secretText('ACCESS_TOKEN_URL', args.access.tokenUrl),
      secretText('ACCESS_JWKS_URL', args.access.jwksUrl),
      ...(args.upstreamUrl ? [{ type: 'plain_text', name: 'UPSTREAM_URL', text: args.upstreamUrl }] : []),
    ];

    this.script = new cloudflare.WorkersScript(
      `${name}-script`,
      {
        accountId: args.accountId,
        scriptName: args.scriptName,
        // An absolute path: the same bundle deployed from another checkout shows as a (harmless) change here.
        contentFile: args.bundle.path,
        contentSha256: args.bundle.sha256,
        mainModule: args.bundle.mainModule,
        compatibilityDate: COMPATIBILITY_DATE,
        compatibilityFlags: COMPATIBILITY_FLAGS,
        bindings: this.bindings,
        observability: { enabled: true },
      },
      { parent: this },
    );

    // Managed in both cases, so a Worker on a custom domain is not also reachable on workers.dev.
    new cloudflare.WorkersScriptSubdomain(
      `${name}-workers-dev`,
      {
        accountId: args.accountId,
        scriptName: this.script.scriptName,
        enabled: args.route.kind === 'workersDev',
        previewsEnabled: false,
      },
      { parent: this },
    );
    if (args.route.kind === 'customDomain') {
      new cloudflare.WorkersCustomDomain(
        `${name}-domain`,
        {
          accountId: args.accountId,
          hostname: args.route.hostname,
          zoneId: args.route.zoneId,
          service: this.script.scriptName,
        },
        { parent: this },
      );
    }

    this.registerOutputs({ publicUrl: this.publicUrl, mcpUrl: this.mcpUrl, scriptName: this.script.scriptName });
  }
}
