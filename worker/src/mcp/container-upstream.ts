/**
 * The production destination of an MCP request: the signed-in user's own container, reached with
 * an identity only that container can verify, so one user's traffic can never land in another's.
 */
import type { UserProps } from '../config.ts';
import {
  CONTAINER_MCP_URL,
  containerInstanceName,
  ContainerSettingsError,
  containerUpstreamName,
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
import { upstreamKey } from './upstream-keys.ts';

/**
 * The user's own container: each request goes to the Container instance named after the user (or
 * their tenant), with only the allowed headers and the Worker-signed identity, signed with the key
 * derived for that instance alone (the key `McpContainer` gives its bridge).
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
    // The same id `getContainer(binding, name)` picks; the instance's key is derived from it.
    const id = this.#binding.idFromName(instanceName);
    const key = await upstreamKey(this.#identitySigningKey, containerUpstreamName(id));
    const identity = await signedIdentity(user, key, target.href);
    const container = this.#binding.get(id);
    try {
      return clientResponse(await container.fetch(upstreamRequest(request, upstreamTarget(request, target), identity)));
    } catch {
      return jsonRpcError(502, -32000, 'The MCP server container is unavailable');
    }
  }
}
