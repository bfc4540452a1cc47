/**
 * The resource side of the program's dynamic providers: each resource class names its type
 * once, and its Pulumi type token (which the guardrails and the test mocks match on) is made
 * from that name, so the token and the registered type cannot drift apart.
 */
import * as pulumi from '@pulumi/pulumi';

/** The module of every dynamic resource of this program. */
const MODULE = 'secure-mcp';

/**
 * The type token Pulumi gives a dynamic resource of this program (`pulumi.dynamic.Resource`
 * builds it as `pulumi-nodejs:dynamic/<module>:<type>`).
 *
 * @example
 * ```ts
 * dynamicResourceType('WorkerScript'); // 'pulumi-nodejs:dynamic/secure-mcp:WorkerScript'
 * ```
 */
export function dynamicResourceType(typeName: string): string {
  return `pulumi-nodejs:dynamic/${MODULE}:${typeName}`;
}

/** A resource's arguments: its provider's inputs, each of which may be an output of another resource. */
export type ResourceArgs<Inputs> = { [Key in keyof Inputs]: pulumi.Input<Inputs[Key]> };

/**
 * A dynamic resource of this program, registered under {@link dynamicResourceType}`(typeName)`.
 *
 * @example
 * ```ts
 * class Thing extends SecureMcpDynamicResource {
 *   constructor(name: string, args: ResourceArgs<ThingInputs>, opts?: pulumi.CustomResourceOptions) {
 *     super('Thing', thingProvider(), name, { ...args, computed: undefined }, opts);
 *   }
 * }
 * ```
 */
export abstract class SecureMcpDynamicResource extends pulumi.dynamic.Resource {
  protected constructor(
    typeName: string,
    provider: pulumi.dynamic.ResourceProvider,
    name: string,
    props: pulumi.Inputs,
    opts?: pulumi.CustomResourceOptions,
  ) {
    super(provider, name, props, opts, MODULE, typeName);
  }
}
