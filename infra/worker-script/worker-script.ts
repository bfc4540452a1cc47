/**
 * `WorkerScript`: the Worker's code, bindings, Durable Object migrations and container classes
 * as one Pulumi resource, uploaded through the script upload API by the dynamic provider of
 * `worker-script-provider.ts` (why not `@pulumi/cloudflare`'s resources: see there).
 */
import type * as pulumi from '@pulumi/pulumi';
import {
  dynamicResourceType,
  type ResourceArgs,
  SecureMcpDynamicResource,
} from '../dynamic-provider/dynamic-resource.ts';
import type { WorkerScriptSpec } from './script-upload.ts';
import { workerScriptProvider } from './worker-script-provider.ts';

const TYPE_NAME = 'WorkerScript';
/** Type token of this resource (for tests and the guardrails). */
export const WORKER_SCRIPT_TYPE = dynamicResourceType(TYPE_NAME);

/** The inputs, each of which may be an output of another resource. */
export type WorkerScriptArgs = ResourceArgs<WorkerScriptSpec>;

/**
 * The uploaded Worker.
 *
 * @example
 * ```ts
 * const script = new WorkerScript('gateway-script', {
 *   accountId, scriptName: 'secure-mcp-dev-gateway', mainModule: 'index.js', bundlePath, bundleSha256,
 *   compatibilityDate: '2026-11-01', compatibilityFlags: ['nodejs_compat'], bindings, secretBindings,
 *   migrations: [{ tag: 'v1', newSqliteClasses: ['McpContainer'] }],
 *   containers: [{ name: 'secure-mcp-dev-bridge', className: 'McpContainer' }], observability: true,
 * });
 * script.versionId; // the version the upload created, where the Containers application finds its namespace
 * ```
 */
export class WorkerScript extends SecureMcpDynamicResource {
  declare readonly scriptName: pulumi.Output<string>;
  declare readonly versionId: pulumi.Output<string>;
  declare readonly migrationTag: pulumi.Output<string>;

  constructor(name: string, args: WorkerScriptArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      TYPE_NAME,
      workerScriptProvider(),
      name,
      { ...args, versionId: undefined, migrationTag: undefined },
      // The secret texts stay secret in the state's outputs as they are in its inputs.
      { ...opts, additionalSecretOutputs: ['secretBindings'] },
    );
  }
}
