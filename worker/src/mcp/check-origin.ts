/**
 * Keeps web pages on other sites out of `/mcp`, since a browser would otherwise let any page a
 * signed-in person visits talk to the gateway on their behalf.
 */
import type { WorkerConfig } from '../config.ts';
import { jsonRpcError } from './upstream.ts';

/**
 * The first step of every `/mcp` request (docs/security.md 12): a request must be addressed to this
 * Worker's own host, and a browser's `Origin`, when it sends one, must be the Worker's own
 * origin or one an operator allowed. A web page on another site (or one that rebinds its DNS
 * name to this server) is refused with 403 before anything else runs. Clients outside a
 * browser send no `Origin` and pass.
 *
 * @example
 * ```ts
 * const refused = checkOrigin(request, config);
 * if (refused) return refused;
 * ```
 */
export function checkOrigin(
  request: Request,
  config: Pick<WorkerConfig, 'publicUrl' | 'allowedOrigins'>,
): Response | undefined {
  if (new URL(request.url).host !== new URL(config.publicUrl).host) {
    return jsonRpcError(403, -32000, 'Forbidden: this request is addressed to another host');
  }
  const origin = request.headers.get('Origin');
  if (origin === null) return undefined;
  if (!config.allowedOrigins.includes(origin)) {
    return jsonRpcError(403, -32000, 'Forbidden: requests from this Origin are not allowed');
  }
  return undefined;
}
