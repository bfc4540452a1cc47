/**
 * Where native tools are served: a path under the `/mcp` resource, so the token a client
 * got for `/mcp` is valid here too (the OAuth provider treats `/mcp/…` as the same
 * protected resource) and one sign-in covers both.
 */
export const NATIVE_TOOLS_PATH = '/mcp/native';

/** Whether a request is for the native tools. */
export function isNativeToolsRequest(request: Request): boolean {
  return new URL(request.url).pathname === NATIVE_TOOLS_PATH;
}
