import { getContainer } from '@cloudflare/containers';
import type { UserProps } from '../config.ts';
import {
  CONTAINER_MCP_URL,
  containerInstanceName,
  ContainerSettingsError,
  readContainerSettings,
} from '../container/container-settings.ts';
import type { McpContainer } from '../container/mcp-container.ts';
import {
  clientResponse,
  jsonRpcError,
  signedIdentity,
  upstreamRequest,
  upstreamTarget,
  type Upstream,
} from './upstream.ts';

/**
 * The user's own container: each request goes to the Container instance named after the user (or
 * their tenant), with only the allowed headers and the Worker-signed identity.
 *
 * @example
 * ```ts
 * const upstream = new ContainerUpstream(env.MCP_CONTAINER, env, config.identitySigningKey);
 * return upstream.forward(request, ctx.props);
 * ```
 */
export class ContainerUpstream implements Upstream {
  readonly #binding: DurableObjectNamespace<McpContainer>;
  readonly #env: Cloudflare.Env;
  readonly #identitySigningKey: string;

  constructor(binding: DurableObjectNamespace<McpContainer>, env: Cloudflare.Env, identitySigningKey: string) {
    this.#binding = binding;
    this.#env = env;
    this.#identitySigningKey = identitySigningKey;
  }

  async forward(request: Request, user: UserProps): Promise<Response> {
    let instanceName: string;
    try {
      instanceName = containerInstanceName(
        user,
        readContainerSettings(this.#env as unknown as Record<string, unknown>).scope,
      );
    } catch (error) {
      if (!(error instanceof ContainerSettingsError)) throw error;
      console.error(JSON.stringify({ event: 'container_config_error', problems: error.problems }));
      return jsonRpcError(500, -32603, 'The MCP container is misconfigured; the operator has been told in the logs');
    }
    const target = new URL(CONTAINER_MCP_URL);
    const identity = await signedIdentity(user, this.#identitySigningKey, target.href);
    const container = getContainer(this.#binding, instanceName);
    try {
      return clientResponse(await container.fetch(upstreamRequest(request, upstreamTarget(request, target), identity)));
    } catch {
      return jsonRpcError(502, -32000, 'The MCP server container is unavailable');
    }
  }
}
