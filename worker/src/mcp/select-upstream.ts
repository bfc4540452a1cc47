import type { WorkerConfig } from '../config.ts';
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
export function selectUpstream(_request: Request, _env: Cloudflare.Env, config: WorkerConfig): Upstream | undefined {
  return config.upstreamUrl ? new UrlUpstream(config.upstreamUrl) : undefined;
}
