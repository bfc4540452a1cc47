/**
 * `McpWorker`: the Worker that signs people in through Access and serves MCP, with the KV
 * namespace its OAuth provider keeps grants in, and its public URL (workers.dev or a custom
 * domain).
 *
 * The code is the esbuild bundle from `worker/build.ts`, the same bundle `wrangler dev` serves
 * locally, uploaded as a `WorkerVersion` from a file whose path carries its SHA-256
 * (`stageWorkerBundle`): new code is a new path, so a new version, and the multi-megabyte
 * bundle stays out of the state and out of diffs. A `WorkersDeployment` sends all traffic to
 * the version; the `Worker` resource holds the name and the workers.dev route.
 */
import * as cloudflare from '@pulumi/cloudflare';
import * as pulumi from '@pulumi/pulumi';
import type { WorkerBundle } from '../worker/build.ts';
import type { WorkerRoute } from './config.ts';
import { DeployedMigrationTag } from './migrations/deployed-migration-tag.ts';
import { type MigrationStep, pendingMigrations } from './migrations/pending-migrations.ts';
import { physicalName } from './naming.ts';

/** Same as `worker/wrangler.jsonc`, so what runs locally is what deploys (a test checks they agree). */
export const COMPATIBILITY_DATE = '2026-11-01';
export const COMPATIBILITY_FLAGS = ['nodejs_compat', 'global_fetch_strictly_public'];

/** How the Worker signs people in: the Access for SaaS application's client and endpoints. */
interface AccessSignIn {
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
  /** The Worker's own keys (`GatewaySecrets.bindings`), each a `secret_text` binding. */
  secrets: readonly { name: string; value: pulumi.Input<string> }[];
  /** The Durable Object class that runs each user's container; unset when MCP goes to `upstreamUrl`. */
  containerClass: ContainerClassBinding | undefined;
  /** Further settings as `plain_text` bindings (name → value), e.g. the container class's. */
  settings?: Readonly<Record<string, string>>;
}

/** A container-enabled Durable Object class of the Worker and its binding. */
export interface ContainerClassBinding {
  /** The binding the Worker code reads (`env.MCP_CONTAINER`). */
  bindingName: string;
  /** The exported class (SQLite-backed, as `@cloudflare/containers` requires). */
  className: string;
}

/**
 * Every Durable Object class the Worker exports, created by these migrations, oldest first (never
 * edit a deployed step, append one). The same history as worker/wrangler.jsonc. Every stack gets
 * all of them: a stack that sends MCP to an `upstreamUrl` still has the (unused) container class.
 */
export const DURABLE_OBJECT_MIGRATIONS: readonly MigrationStep[] = [
  { tag: 'v1', newSqliteClasses: ['McpContainer'] },
  { tag: 'v2', newSqliteClasses: ['ToolRateLimiter'] },
];

/** The per-person counters of the tool policies' rate limits (worker/src/mcp/gate/rate-limit/). */
const TOOL_RATE_LIMITER_BINDING = {
  type: 'durable_object_namespace',
  name: 'TOOL_RATE_LIMITER',
  className: 'ToolRateLimiter',
};

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
  /** The Worker itself: its name, workers.dev route and observability. */
  readonly worker: cloudflare.Worker;
  /** The uploaded code with its bindings, migrations and container classes (immutable; a change is a new version). */
  readonly version: cloudflare.WorkerVersion;
  /** What makes the version live: 100 % of traffic to it. */
  readonly deployment: cloudflare.WorkersDeployment;
  /** The bindings given to the version; every `secret_text` value is a Pulumi secret. */
  readonly bindings: cloudflare.types.input.WorkerVersionBinding[];
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
      ...Object.entries(args.settings ?? {}).map(([bindingName, text]) => ({
        type: 'plain_text',
        name: bindingName,
        text,
      })),
      ...args.secrets.map((secret) => secretText(secret.name, secret.value)),
      TOOL_RATE_LIMITER_BINDING,
      ...(args.containerClass
        ? [
            {
              type: 'durable_object_namespace',
              name: args.containerClass.bindingName,
              className: args.containerClass.className,
            },
          ]
        : []),
    ];

    // workers.dev is managed in both cases, so a Worker on a custom domain is not also reachable there.
    this.worker = new cloudflare.Worker(
      `${name}-worker`,
      {
        accountId: args.accountId,
        name: args.scriptName,
        subdomain: { enabled: args.route.kind === 'workersDev', previewsEnabled: false },
        observability: { enabled: true },
      },
      { parent: this },
    );

    // A version rather than a WorkersScript: only a version can mark a Durable Object class as
    // container-enabled (`containers`), which the per-user containers need.
    this.version = new cloudflare.WorkerVersion(
      `${name}-version`,
      {
        accountId: args.accountId,
        workerId: this.worker.id,
        mainModule: args.bundle.mainModule,
        // The file's path holds the bundle's SHA-256 (stageWorkerBundle): new code, new path, new version.
        modules: [
          { name: args.bundle.mainModule, contentType: 'application/javascript+module', contentFile: args.bundle.path },
        ],
        compatibilityDate: COMPATIBILITY_DATE,
        compatibilityFlags: COMPATIBILITY_FLAGS,
        bindings: this.bindings,
        migrations: this.migrationsFor(name, args),
        ...(args.containerClass ? { containers: [{ className: args.containerClass.className }] } : {}),
      },
      { parent: this },
    );

    this.deployment = new cloudflare.WorkersDeployment(
      `${name}-deployment`,
      {
        accountId: args.accountId,
        scriptName: this.worker.name,
        strategy: 'percentage',
        versions: [{ versionId: this.version.id, percentage: 100 }],
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
          service: this.worker.name,
        },
        { parent: this, dependsOn: [this.deployment] },
      );
    }

    this.registerOutputs({ publicUrl: this.publicUrl, mcpUrl: this.mcpUrl, scriptName: this.worker.name });
  }

  /** The migrations the new version carries: those after the tag Cloudflare last applied (read on every update). */
  private migrationsFor(name: string, args: McpWorkerArgs) {
    const deployed = new DeployedMigrationTag(
      `${name}-migration-tag`,
      { accountId: args.accountId, scriptName: args.scriptName },
      { parent: this },
    );
    return deployed.tag.apply((tag) => pendingMigrations(DURABLE_OBJECT_MIGRATIONS, tag || undefined));
  }
}
