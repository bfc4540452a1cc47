/**
 * `ContainerApplication`: a Cloudflare Containers application as a Pulumi resource, through
 * the dynamic provider of `application-provider.ts`.
 */
import type * as pulumi from '@pulumi/pulumi';
import {
  dynamicResourceType,
  type ResourceArgs,
  SecureMcpDynamicResource,
} from '../dynamic-provider/dynamic-resource.ts';
import { containerApplicationProvider } from './application-provider.ts';
import type { ApplicationSpec, InstanceType } from './application-spec.ts';

const TYPE_NAME = 'ContainerApplication';
/** Type token of this resource (for tests and the guardrails). */
export const CONTAINER_APPLICATION_TYPE = dynamicResourceType(TYPE_NAME);

/** The inputs, each of which may be an output of another resource. */
export type ContainerApplicationArgs = ResourceArgs<ApplicationSpec>;

/**
 * A Containers application tied to the Worker's Durable Object class.
 *
 * @example
 * ```ts
 * new ContainerApplication('bridge-app', {
 *   accountId, name: 'secure-mcp-dev-bridge', image: image.repoDigest, instanceType: 'basic', maxInstances: 10,
 *   durableObjects: { scriptName: 'secure-mcp-dev-gateway', className: 'McpContainer' },
 *   workerVersionId: script.versionId, tiers: [1, 2], observability: true,
 * });
 * ```
 */
export class ContainerApplication extends SecureMcpDynamicResource {
  declare readonly name: pulumi.Output<string>;
  declare readonly image: pulumi.Output<string>;
  declare readonly instanceType: pulumi.Output<InstanceType>;
  declare readonly maxInstances: pulumi.Output<number>;
  declare readonly durableObjectNamespaceId: pulumi.Output<string>;

  constructor(name: string, args: ContainerApplicationArgs, opts?: pulumi.CustomResourceOptions) {
    super(TYPE_NAME, containerApplicationProvider(), name, { ...args, durableObjectNamespaceId: undefined }, opts);
  }
}
