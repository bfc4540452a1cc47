/**
 * The Container Durable Object class: one instance (and so one container running the bridge) per
 * user, or per tenant where configured. What it may reach and which secrets it gets come from the
 * Worker's bindings (`container-settings.ts`); nothing else enters it. Its bridge gets an identity
 * key derived for this instance alone, never the Worker's `IDENTITY_SIGNING_KEY`.
 */
import { Container } from '@cloudflare/containers';
import { deriveUpstreamKey } from '../../../container/src/identity-token.ts';
import { CONTAINER_PORT, containerUpstreamName, readContainerSettings } from './container-settings.ts';

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
    // With internet off, workerd hands the Worker only plain HTTP on port 80 (`interceptAllOutboundHttp`);
    // TLS it is not told to intercept is passed through, and dropped (`EgressHttpService::connect` in
    // workerd's container-client.c++). So HTTPS to an allowed host needs HTTPS interception: the
    // container then trusts the platform's CA, which the bridge hands to the server (platform-ca.ts).
    this.interceptHttps = settings.allowedHosts.length > 0;
    this.envVars = settings.envVars;
    // The key the Worker signs this instance's requests with (`ContainerUpstream`); the container
    // starts only after this, since nothing reaches the instance while it blocks.
    void ctx.blockConcurrencyWhile(async () => {
      const key = await deriveUpstreamKey(env.IDENTITY_SIGNING_KEY, containerUpstreamName(ctx.id));
      this.envVars = { ...settings.envVars, BRIDGE_IDENTITY_KEY: key };
    });
  }
}
