/**
 * The Container Durable Object class: one instance (and so one container running the bridge) per
 * user, or per tenant where configured. What it may reach and which secrets it gets come from the
 * Worker's bindings (`container-settings.ts`); nothing else enters it.
 */
import { Container } from '@cloudflare/containers';
import { CONTAINER_PORT, readContainerSettings } from './container-settings.ts';

/**
 * The MCP server container. Exported from the Worker's entry module; bound as `MCP_CONTAINER`.
 *
 * @example
 * ```ts
 * const stub = getContainer(env.MCP_CONTAINER, containerInstanceName(user, 'user'));
 * const response = await stub.fetch(request);
 * ```
 */
export class McpContainer extends Container {
  override defaultPort = CONTAINER_PORT;
  /** The bridge's health endpoint; it answers once the bridge listens. */
  override pingEndpoint = 'mcp-container/healthz';
  override enableInternet = false;

  constructor(ctx: ConstructorParameters<typeof Container>[0], env: Cloudflare.Env) {
    super(ctx, env);
    const settings = readContainerSettings(env as unknown as Record<string, unknown>);
    this.sleepAfter = settings.sleepAfter;
    this.allowedHosts = settings.allowedHosts;
    this.envVars = settings.envVars;
  }
}
