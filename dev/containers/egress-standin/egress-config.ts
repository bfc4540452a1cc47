/**
 * What workerd tells the sidecar about egress, by `PUT /egress` on its ingress port:
 * `{ "port": <egress listener port>, "dns": { "allowHostnames": [globs] }, "internet": { "enabled": bool } }`
 * (`ContainerClient::updateSidecarEgressConfig`, workerd's `container-client.c++`; `allowHostnames`
 * holds `*` as soon as any IP range is intercepted, as `interceptAllOutboundHttp` does).
 * Pure: the parsing and the hostname globs are tested alone.
 */

/** The sidecar's current egress settings. */
export interface EgressConfig {
  /** workerd's egress listener port on the Docker gateway. */
  port: number;
  /** Host name globs the sidecar's DNS answers; anything else gets NXDOMAIN. */
  allowHostnames: string[];
  /** Whether workerd lets traffic without an interception through (it decides; recorded for logs). */
  internetEnabled: boolean | undefined;
}

/**
 * Applies one `PUT /egress` body to `current`. Throws for a body that is not that shape.
 *
 * @example
 * ```ts
 * applyEgressUpdate(config, { port: 40123, dns: { allowHostnames: ['*'] }, internet: { enabled: false } });
 * ```
 */
export function applyEgressUpdate(current: EgressConfig, body: unknown): EgressConfig {
  if (typeof body !== 'object' || body === null) throw new Error('the egress update must be a JSON object');
  const { port, dns, internet } = body as {
    port?: unknown;
    dns?: { allowHostnames?: unknown };
    internet?: { enabled?: unknown };
  };
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65_535)
    throw new Error('the egress update needs a port number');
  const next: EgressConfig = { ...current, port };
  if (dns !== undefined) {
    const hostnames = dns.allowHostnames ?? [];
    if (!Array.isArray(hostnames) || !hostnames.every((name) => typeof name === 'string'))
      throw new Error('dns.allowHostnames must be a list of host name globs');
    next.allowHostnames = hostnames.map((name) => name.toLowerCase());
  }
  if (internet !== undefined) {
    if (typeof internet.enabled !== 'boolean') throw new Error('internet.enabled must be true or false');
    next.internetEnabled = internet.enabled;
  }
  return next;
}

/**
 * Whether `hostname` matches one of `globs`, where `*` matches any run of characters, the same
 * rule as workerd's `hostnameGlobMatches`. Case-insensitive; a trailing dot is ignored.
 *
 * @example
 * ```ts
 * hostnameAllowed('api.github.com', ['*.github.com']); // true
 * ```
 */
export function hostnameAllowed(hostname: string, globs: readonly string[]): boolean {
  const name = hostname.toLowerCase().replace(/\.+$/, '');
  return globs.some((glob) => {
    const pattern = glob.toLowerCase().split('*').map(escapeRegExp).join('.*');
    return new RegExp(`^${pattern}$`).test(name);
  });
}

function escapeRegExp(text: string): string {
  return text.replaceAll(/[.+?^${}()|[\]\\]/g, '\\$&');
}
