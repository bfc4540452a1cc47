/**
 * `McpContainer`: the bridge image and the Containers application that runs it, one container
 * per user, started by the Worker's Durable Object class.
 *
 * The image is built from `container/Dockerfile` for linux/amd64 (what Cloudflare runs) and
 * pushed to Cloudflare's managed registry with credentials that live for minutes
 * (`RegistryCredentials`). The application receives the image by digest (`repoDigest`), so
 * what runs is exactly what was built, and a new build is a new digest, which rolls out.
 */
import * as docker from '@pulumi/docker';
import * as pulumi from '@pulumi/pulumi';
import { ContainerApplication } from './container-app/container-application.ts';
import type { InstanceType } from './container-app/application-spec.ts';
import { CLOUDFLARE_REGISTRY, RegistryCredentials } from './container-app/registry-credentials.ts';
import type { ContainerClassBinding } from './mcp-worker.ts';

/**
 * The Worker's Durable Object class that starts one container per user (`worker/src/container/`)
 * and the binding the Worker reads it through (its migration: `DURABLE_OBJECT_MIGRATIONS`).
 */
export const BRIDGE_CONTAINER_CLASS = {
  bindingName: 'MCP_CONTAINER',
  className: 'McpContainer',
} as const satisfies ContainerClassBinding;

/** The platform Cloudflare Containers run. */
const CONTAINER_PLATFORM = 'linux/amd64';

export interface McpContainerArgs {
  accountId: string;
  /** Physical name of the application and of the image repository: `<project>-<stack>-bridge`. */
  name: string;
  /** The Docker build: context folder, Dockerfile and build arguments (the stdio server to run). */
  build: { context: string; dockerfile: string; args: Record<string, string> };
  instanceType: InstanceType;
  maxInstances: number;
  /** The Worker script and the Durable Object class that start the containers. */
  durableObjects: { scriptName: pulumi.Input<string>; className: string };
}

/**
 * The image repository for an application in an account (no tag, no digest). Pure.
 *
 * @example
 * ```ts
 * imageRepository('0123…', 'secure-mcp-dev-bridge'); // 'registry.cloudflare.com/0123…/secure-mcp-dev-bridge'
 * ```
 */
function imageRepository(accountId: string, name: string): string {
  return `${CLOUDFLARE_REGISTRY}/${accountId}/${name}`;
}

/**
 * The bridge image and its Containers application.
 *
 * @example
 * ```ts
 * const container = new McpContainer('bridge', {
 *   accountId, name: 'secure-mcp-dev-bridge', instanceType: 'basic', maxInstances: 10,
 *   build: { context: repoRoot, dockerfile: 'container/Dockerfile', args: {} },
 *   durableObjects: { scriptName: worker.script.scriptName, className: 'McpContainer' },
 * }, { dependsOn: [worker.script] });
 * ```
 */
export class McpContainer extends pulumi.ComponentResource {
  readonly credentials: RegistryCredentials;
  readonly image: docker.Image;
  readonly application: ContainerApplication;
  /** The image reference the application runs, pinned by digest. */
  readonly imageDigest: pulumi.Output<string>;

  constructor(name: string, args: McpContainerArgs, opts?: pulumi.ComponentResourceOptions) {
    super('secure-mcp:index:McpContainer', name, {}, opts);

    this.credentials = new RegistryCredentials(
      `${name}-registry-credentials`,
      { accountId: args.accountId },
      { parent: this },
    );
    this.image = new docker.Image(
      `${name}-image`,
      {
        imageName: `${imageRepository(args.accountId, args.name)}:latest`,
        build: {
          context: args.build.context,
          dockerfile: args.build.dockerfile,
          platform: CONTAINER_PLATFORM,
          args: args.build.args,
        },
        registry: {
          server: this.credentials.server,
          username: this.credentials.username,
          password: this.credentials.password,
        },
      },
      { parent: this },
    );
    this.imageDigest = this.image.repoDigest;

    this.application = new ContainerApplication(
      `${name}-app`,
      {
        accountId: args.accountId,
        name: args.name,
        image: this.imageDigest,
        instanceType: args.instanceType,
        maxInstances: args.maxInstances,
        durableObjects: pulumi.output(args.durableObjects),
      },
      { parent: this },
    );

    this.registerOutputs({ imageDigest: this.imageDigest, applicationName: this.application.name });
  }
}
