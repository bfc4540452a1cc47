/**
 * `McpWorker`: the Worker that signs people in through Access and serves MCP, with the KV
 * namespace its OAuth provider keeps grants in, and its public URL (workers.dev or a custom
 * domain).
 *
 * The code is the esbuild bundle from `worker/build.ts`, the same bundle `wrangler dev` serves
 * locally, uploaded through the script upload API with its bindings, its Durable Object
 * migrations and its container class (`WorkerScript`, the sequence wrangler 4.164 uses for
 * such a Worker; `infra/deploy-contract/` holds the recording). The bundle's SHA-256 decides
 * when the code is new. The workers.dev route is `@pulumi/cloudflare`'s `WorkersScriptSubdomain`
 * (`POST …/workers/scripts/{name}/subdomain`, as wrangler ends its deploy), a custom domain its
 * `WorkersCustomDomain`.
 */
import * as cloudflare from '@pulumi/cloudflare';
import * as pulumi from '@pulumi/pulumi';
import type { WorkerBundle } from '../worker/build.ts';
import type { WorkerRoute } from './config.ts';
import { physicalName } from './naming.ts';
import type { MigrationStep } from './worker-script/pending-migrations.ts';
import type { PlainBinding } from './worker-script/script-upload.ts';
import { WorkerScript } from './worker-script/worker-script.ts';

/**
 * Same as `worker/wrangler.jsonc` and the test configs, so what runs locally and in the tests is
 * what deploys (tests check they agree). `enable_request_signal` makes `request.signal` abort when
 * the caller goes away (developers.cloudflare.com/workers/configuration/compatibility-flags/,
 * "Enable Request.signal for incoming requests"): `McpContainer` ends the container's request with it.
 */
export const COMPATIBILITY_DATE = '2026-11-01';
export const COMPATIBILITY_FLAGS = ['nodejs_compat', 'global_fetch_strictly_public', 'enable_request_signal'];

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

/** A container-enabled Durable Object class of the Worker, its binding and its application. */
export interface ContainerClassBinding {
  /** The binding the Worker code reads (`env.MCP_CONTAINER`). */
  bindingName: string;
  /** The exported class (SQLite-backed, as `@cloudflare/containers` requires). */
  className: string;
  /** The Containers application that runs the class's containers (its `containers` entry names it). */
  applicationName: string;
}

/**
 * Every Durable Object class the Worker exports, created by these migrations, oldest first (never
 * edit a deployed step, append one). The same history as worker/wrangler.jsonc. Every stack gets
 * all of them: a stack that sends MCP to an `upstreamUrl` still has the (unused) container class.
 */
export const DURABLE_OBJECT_MIGRATIONS: readonly MigrationStep[] = [
  { tag: 'v1', newSqliteClasses: ['McpContainer'] },
  { tag: 'v2', newSqliteClasses: ['ToolRateLimiter'] },
  { tag: 'v3', newSqliteClasses: ['ApprovalDesk'] },
];

/** The per-person counters of the tool policies' rate limits (worker/src/mcp/gate/rate-limit/). */
const TOOL_RATE_LIMITER_BINDING: PlainBinding = {
  type: 'durable_object_namespace',
  name: 'TOOL_RATE_LIMITER',
  class_name: 'ToolRateLimiter',
};

/** Where calls wait for a person's confirmation or a group's approval (worker/src/approvals/). */
const APPROVAL_DESK_BINDING: PlainBinding = {
  type: 'durable_object_namespace',
  name: 'APPROVAL_DESK',
  class_name: 'ApprovalDesk',
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
 *   bundle: await stageWorkerBundle(await buildWorker()), access: accessApp, upstreamUrl: undefined,
 *   secrets: secrets.bindings, containerClass: undefined,
 * });
 * export const mcpUrl = worker.mcpUrl;
 * ```
 */
export class McpWorker extends pulumi.ComponentResource {
  readonly kvNamespace: cloudflare.WorkersKvNamespace;
  /** The uploaded Worker: code, bindings, migrations, container class. */
  readonly script: WorkerScript;
  /** Its workers.dev route (enabled on workers.dev, disabled on a custom domain), once {@link serve} made it. */
  subdomain: cloudflare.WorkersScriptSubdomain | undefined;
  private readonly args: McpWorkerArgs;
  private readonly logicalName: string;
  /** The bindings other than `secret_text` (known once the KV namespace has its id). */
  readonly bindings: pulumi.Output<PlainBinding[]>;
  /** The `secret_text` bindings; every value is a Pulumi secret. */
  readonly secretBindings: { name: string; text: pulumi.Output<string> }[];
  /** Public origin, no trailing slash; the Worker's `PUBLIC_URL`. */
  readonly publicUrl: string;
  /** The MCP endpoint clients connect to. */
  readonly mcpUrl: string;

  constructor(name: string, args: McpWorkerArgs, opts?: pulumi.ComponentResourceOptions) {
    super('secure-mcp:index:McpWorker', name, {}, opts);
    this.args = args;
    this.logicalName = name;
    this.publicUrl = workerPublicUrl(args.scriptName, args.route);
    this.mcpUrl = `${this.publicUrl}/mcp`;

    this.kvNamespace = new cloudflare.WorkersKvNamespace(
      `${name}-oauth-kv`,
      { accountId: args.accountId, title: physicalName('oauth-kv') },
      { parent: this },
    );

    const plainText = (bindingName: string, text: string): PlainBinding => ({
      type: 'plain_text',
      name: bindingName,
      text,
    });
    this.bindings = this.kvNamespace.id.apply((namespaceId): PlainBinding[] => [
      { type: 'kv_namespace', name: 'OAUTH_KV', namespace_id: namespaceId },
      plainText('PUBLIC_URL', this.publicUrl),
      ...(args.upstreamUrl ? [plainText('UPSTREAM_URL', args.upstreamUrl)] : []),
      ...Object.entries(args.settings ?? {}).map(([bindingName, text]) => plainText(bindingName, text)),
      ...(args.containerClass
        ? [
            {
              type: 'durable_object_namespace' as const,
              name: args.containerClass.bindingName,
              class_name: args.containerClass.className,
            },
          ]
        : []),
      TOOL_RATE_LIMITER_BINDING,
      APPROVAL_DESK_BINDING,
    ]);
    const secretText = (bindingName: string, text: pulumi.Input<string>) => ({
      name: bindingName,
      text: pulumi.secret(text),
    });
    this.secretBindings = [
      secretText('ACCESS_ISSUER', args.access.issuer),
      secretText('ACCESS_CLIENT_ID', args.access.clientId),
      secretText('ACCESS_CLIENT_SECRET', args.access.clientSecret),
      secretText('ACCESS_AUTHORIZATION_URL', args.access.authorizationUrl),
      secretText('ACCESS_TOKEN_URL', args.access.tokenUrl),
      secretText('ACCESS_JWKS_URL', args.access.jwksUrl),
      ...args.secrets.map((secret) => secretText(secret.name, secret.value)),
    ];

    this.script = new WorkerScript(
      `${name}-script`,
      {
        accountId: args.accountId,
        scriptName: args.scriptName,
        mainModule: args.bundle.mainModule,
        bundlePath: args.bundle.path,
        bundleSha256: args.bundle.sha256,
        compatibilityDate: COMPATIBILITY_DATE,
        compatibilityFlags: COMPATIBILITY_FLAGS,
        bindings: this.bindings,
        // One secret output for the whole list (pulumi.output unwraps the texts inside it).
        secretBindings: pulumi.output(this.secretBindings),
        // The whole history: the provider sends only the steps Cloudflare has not applied, read at upload time.
        migrations: [...DURABLE_OBJECT_MIGRATIONS],
        containers: args.containerClass
          ? [{ name: args.containerClass.applicationName, className: args.containerClass.className }]
          : [],
        observability: true,
      },
      { parent: this },
    );

    this.registerOutputs({ publicUrl: this.publicUrl, mcpUrl: this.mcpUrl, scriptName: this.script.scriptName });
  }

  /**
   * Makes the Worker reachable: its workers.dev route, or its custom domain (with workers.dev
   * off), after `after` (the Containers application), so the first request finds everything.
   *
   * @example
   * ```ts
   * worker.serve(container ? [container.application] : []);
   * ```
   */
  serve(after: pulumi.Resource[]): void {
    // workers.dev is managed in both cases, so a Worker on a custom domain is not also reachable there.
    this.subdomain = new cloudflare.WorkersScriptSubdomain(
      `${this.logicalName}-subdomain`,
      {
        accountId: this.args.accountId,
        scriptName: this.script.scriptName,
        enabled: this.args.route.kind === 'workersDev',
        previewsEnabled: false,
      },
      { parent: this, dependsOn: after },
    );

    if (this.args.route.kind === 'customDomain') {
      new cloudflare.WorkersCustomDomain(
        `${this.logicalName}-domain`,
        {
          accountId: this.args.accountId,
          hostname: this.args.route.hostname,
          zoneId: this.args.route.zoneId,
          service: this.script.scriptName,
        },
        { parent: this, dependsOn: after },
      );
    }
  }
}
