/**
 * The CA the platform signs intercepted HTTPS with. When the Worker intercepts the container's
 * HTTPS (`interceptHttps`, which `McpContainer` turns on with an egress allow-list), workerd writes
 * the network sidecar's CA certificate into the container before starting it, at
 * `/etc/cloudflare/certs/cloudflare-containers-ca.crt` (`ContainerClient::injectCACert` in workerd's
 * `src/workerd/server/container-client.c++`; `interceptHttps` in node_modules/@cloudflare/containers/README.md).
 * A Node stdio server trusts it through `NODE_EXTRA_CA_CERTS`, which the bridge sets for it; other
 * runtimes need their own setting (docs/servers.md).
 */
import { existsSync } from 'node:fs';

/** Where the platform puts its interception CA in the container. */
export const PLATFORM_CA_PATH = '/etc/cloudflare/certs/cloudflare-containers-ca.crt';

/**
 * `{ NODE_EXTRA_CA_CERTS }` for the stdio server when the platform's CA is in the container, else `{}`.
 *
 * @example
 * ```ts
 * const env = { ...platformCaEnvironment(), ...configuredEnv };
 * ```
 */
export function platformCaEnvironment(exists: (path: string) => boolean = existsSync): Record<string, string> {
  return exists(PLATFORM_CA_PATH) ? { NODE_EXTRA_CA_CERTS: PLATFORM_CA_PATH } : {};
}
