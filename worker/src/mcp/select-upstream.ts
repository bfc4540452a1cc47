import type { WorkerConfig } from '../config.ts';
import { isNativeToolsRequest } from '../native/native-tools-path.ts';
import { nativeToolsUpstream } from '../native/native-tools.ts';
import { ContainerUpstream } from './container-upstream.ts';
import { UrlUpstream, type Upstream } from './upstream.ts';

/**
 * Chooses where an authorized MCP request goes. Today: the configured URL. This is the
 * one seam for new destinations (the user's own container, tools native to the Worker).
 *
 * @example
 * ```ts
 * const upstream = selectUpstream(request, env, config);
 * if (upstream) return upstream.forward(request, user);
 * ```
 */
export function selectUpstream(request: Request, env: Cloudflare.Env, config: WorkerConfig): Upstream | undefined {
  // Tools written in TypeScript inside this Worker, at /mcp/native (worker/src/native/).
  if (isNativeToolsRequest(request)) return nativeToolsUpstream(config.publicUrl);
  if (config.upstreamUrl) return new UrlUpstream(config.upstreamUrl, config.identitySigningKey);
  // The user's own container, when the Worker has the binding and no URL overrides it.
  if (env.MCP_CONTAINER) return new ContainerUpstream(env.MCP_CONTAINER, env, config.identitySigningKey);
  return undefined;
}
