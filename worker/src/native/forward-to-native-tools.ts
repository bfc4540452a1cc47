/**
 * Serves the Worker's own tools inside the same pipeline as a proxied server, after sign-in, the
 * Origin check and the policy gate, so native tools get no shortcut around the rules.
 */
import { createMcpHandler } from 'agents/mcp/server';
import type { UserProps } from '../config.ts';
import { NATIVE_TOOLS_PATH } from './native-tools-path.ts';
import { createNativeToolsServer } from './native-tools-server.ts';

/**
 * Serves one native-tools request in-process with `agents`' `createMcpHandler`
 * (stateless: 2026-07-28 clients, and 2025-era clients without a session), with a fresh
 * MCP server built for the signed-in `user`. The gateway has run sign-in, the Origin
 * check and the policy gate before this, exactly as for a proxied server.
 *
 * @example
 * ```ts
 * return forwardToNativeTools(request, user, 'mcp.example.com');
 * ```
 */
export function forwardToNativeTools(request: Request, user: UserProps, publicHostname: string): Promise<Response> {
  const handler = createMcpHandler(() => createNativeToolsServer(user), {
    route: NATIVE_TOOLS_PATH,
    allowedHostnames: [publicHostname],
    // Origin is checked by the gateway before the policy gate (worker/src/mcp/check-origin.ts).
    allowedOriginHostnames: '*',
    corsOptions: false,
  });
  return handler.fetch(request);
}
