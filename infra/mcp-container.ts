/**
 * `McpContainer`: the bridge image and the Containers application that runs it, one container
 * per user, started by the Worker's Durable Object class.
 *
 * In wrangler 4.164's order (recorded in `infra/deploy-contract/`), after the Worker upload:
 * the registry namespace and push credentials (`RegistryCredentials`), the image built from
 * `container/Dockerfile` for linux/amd64 and pushed (`@pulumi/docker`), then the application,
 * created with the image by digest and the Worker's Durable Object namespace, or patched and
 * rolled out. What runs is exactly what was built: a new build is a new digest.
 */
import * as docker from '@pulumi/docker';
import * as pulumi from '@pulumi/pulumi';
import { DEFAULT_TIERS, type InstanceType } from './container-app/application-spec.ts';
import { buildInputsDigest, type ImageBuildInputs } from './container-app/build-context.ts';
import { ContainerApplication } from './container-app/container-application.ts';
import { CLOUDFLARE_REGISTRY, RegistryCredentials } from './container-app/registry-credentials.ts';
import type { ContainerClassBinding } from './mcp-worker.ts';

/**
 * The Worker's Durable Object class that starts one container per user (`worker/src/container/`)
 * and the binding the Worker reads it through (its migration: `DURABLE_OBJECT_MIGRATIONS`).
 */
export const BRIDGE_CONTAINER_CLASS = {
  bindingName: 'MCP_CONTAINER',
  className: 'McpContainer',
} as const satisfies Omit<ContainerClassBinding, 'applicationName'>;

/** The platform Cloudflare Containers run. */
const CONTAINER_PLATFORM = 'linux/amd64';

export interface McpContainerArgs {
  accountId: string;
  /** Physical name of the application and of the image repository: `<project>-<stack>-bridge`. */
  name: string;
  /** The Docker build: absolute context and Dockerfile paths, and the build arguments. */
  build: Omit<ImageBuildInputs, 'platform'>;
  instanceType: InstanceType;
  maxInstances: number;
  /** The Worker script and the Durable Object class that start the containers. */
  durableObjects: { scriptName: pulumi.Input<string>; className: string };
  /** The version the Worker upload created: where the application finds the class's namespace. */
  workerVersionId: pulumi.Input<string>;
  /** The Worker upload: the registry steps wait for it, as in wrangler's deploy. */
  after: pulumi.Resource[];
  /** The registry host (tests point it at a loopback registry). */
  registry?: string;
}

/**
 * The image tag: the first 16 hex digits of the build inputs' digest, so a new build is a new tag.
 *
 * @example
 * ```ts
 * imageTag('sha256:3f2a…'); // '3f2a…' (16 characters)
 * ```
 */
function imageTag(buildDigest: string): string {
  return buildDigest.replace(/^sha256:/, '').slice(0, 16);
}

/**
 * The bridge image and its Containers application.
 *
 * @example
 * ```ts
 * const container = new McpContainer('bridge', {
 *   accountId, name: 'secure-mcp-dev-bridge', instanceType: 'basic', maxInstances: 10,
 *   build: { context: repoRoot, dockerfile: `${repoRoot}/container/Dockerfile`, args },
 *   durableObjects: { scriptName: worker.script.scriptName, className: 'McpContainer' },
 *   workerVersionId: worker.script.versionId, after: [worker.script],
 * });
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
    const build: ImageBuildInputs = { ...args.build, platform: CONTAINER_PLATFORM };
    const buildDigest = pulumi.output(buildInputsDigest(build));

    this.credentials = new RegistryCredentials(
      `${name}-registry-credentials`,
      {
        accountId: args.accountId,
        registry: args.registry ?? CLOUDFLARE_REGISTRY,
        repositoryName: args.name,
        buildDigest,
      },
      { parent: this },
    );
    this.image = new docker.Image(
      `${name}-image`,
      {
        imageName: pulumi.interpolate`${this.credentials.repository}:${buildDigest.apply(imageTag)}`,
        build: { context: build.context, dockerfile: build.dockerfile, platform: build.platform, args: build.args },
        registry: {
          server: this.credentials.registry,
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
        workerVersionId: args.workerVersionId,
        tiers: DEFAULT_TIERS,
        observability: true,
      },
      { parent: this },
    );

    this.registerOutputs({ imageDigest: this.imageDigest, applicationName: this.application.name });
  }
}
