/**
 * Keeps the native tools out of the Worker's cost when they are not used: loaded on first use, and
 * left out of a proxy-only bundle altogether.
 */
import type { UserProps } from '../config.ts';
import { jsonRpcError, type Upstream } from '../mcp/upstream.ts';

declare global {
  /**
   * Set by the build (`worker/build.ts`, `define`): `false` leaves the native tools and
   * their libraries (`agents`, the MCP SDK v2 server, zod) out of a proxy-only bundle.
   * Unset where no build defines it (tests run from source), which means built in.
   */
  var __SECURE_MCP_NATIVE_TOOLS__: boolean | undefined;
}

/**
 * The native tools' upstream. Their module is imported on first use, so an isolate that
 * only proxies never evaluates it; in a proxy-only build the branch is dead code and the
 * bundler drops the import altogether.
 *
 * @example
 * ```ts
 * if (isNativeToolsRequest(request)) return nativeToolsUpstream(config.publicUrl);
 * ```
 */
export function nativeToolsUpstream(publicUrl: string): Upstream {
  const publicHostname = new URL(publicUrl).hostname;
  return {
    async forward(request: Request, user: UserProps): Promise<Response> {
      // A constant condition in a proxy-only build, so the bundler drops the import.
      return globalThis.__SECURE_MCP_NATIVE_TOOLS__ === false
        ? jsonRpcError(404, -32601, 'This gateway was built without native tools')
        : (await import('./forward-to-native-tools.ts')).forwardToNativeTools(request, user, publicHostname);
    },
  };
}
