/**
 * The single place that decides where an authorized MCP request is sent, so adding a destination,
 * or reasoning about which one a request reaches, means reading one function.
 */
import type { WorkerConfig } from '../config.ts';
import { isNativeToolsRequest } from '../native/native-tools-path.ts';
import { nativeToolsUpstream } from '../native/native-tools.ts';
import { ContainerUpstream } from './container-upstream.ts';
import { UrlUpstream, type Upstream } from './upstream.ts';

/**
 * Chooses where an authorized MCP request goes: tools native to this Worker for
 * `/mcp/native`, else the configured URL (local stack, tests, a server a team already
 * runs), else the user's own container. The one seam for destinations.
 *
 * @example
 * ```ts
 * const upstream = selectUpstream(request, env, config);
 * if (upstream) return upstream.forward(request, user);
 * ```
 */
export function selectUpstream(request: Request, env: Cloudflare.Env, config: WorkerConfig): Upstream | undefined {
  if (isNativeToolsRequest(request)) return nativeToolsUpstream(config.publicUrl);
  if (config.upstreamUrl) return new UrlUpstream(config.upstreamUrl, config.identitySigningKey);
  if (env.MCP_CONTAINER) return new ContainerUpstream(env.MCP_CONTAINER, env, config.identitySigningKey);
  return undefined;
}
