/**
 * How the per-user MCP container is configured, read from the Worker's bindings. Pure (no I/O), so
 * the rules are tested without a container runtime.
 *
 * Bindings (all optional except the Durable Object binding itself):
 * - `MCP_CONTAINER_SCOPE`: `user` (default: one container per user) or `tenant` (one per email domain).
 * - `MCP_CONTAINER_SLEEP_AFTER`: idle time before the container is stopped, e.g. `10m` (default `15m`).
 * - `MCP_CONTAINER_ALLOWED_HOSTS`: comma-separated hosts the stdio server may reach; nothing else.
 * - `MCP_CONTAINER_SECRET_NAMES`: comma-separated names of Worker secrets handed to the stdio server
 *   as environment variables of the same names; no other secret enters the container.
 * - `MCP_CONTAINER_SHARED_CHILD`: `1` runs one stdio server per user for all their sessions (only for
 *   servers safe to share); `MCP_CONTAINER_USER_ENV`: `1` tells the stdio server who its user is.
 */

/** The settings of the container class and of the upstream that picks an instance. */
export interface ContainerSettings {
  scope: 'user' | 'tenant';
  sleepAfter: string;
  allowedHosts: string[];
  /**
   * Environment of the container: the bridge's identity audience, the named secrets and the bridge
   * switches. The bridge's key is not here: `McpContainer` adds the key derived for its instance.
   */
  envVars: Record<string, string>;
}

/** The container's port, as the Dockerfile's bridge listens. */
export const CONTAINER_PORT = 8080;
/**
 * The URL the Worker forwards MCP requests to inside the container. The host is a name only: the
 * Container class routes every request to its one container. It is also the identity token's audience.
 */
export const CONTAINER_MCP_URL = 'http://mcp-container/mcp';

const DEFAULT_SLEEP_AFTER = '15m';
/** Names the stdio server's secrets may not take: they belong to the bridge or the system. */
const RESERVED_NAMES = /^(BRIDGE_|MCP_SERVER_|NODE_|PATH$|HOME$)/;
/**
 * The gateway's own secrets: handed to the stdio server, any one of them makes it the gateway (it
 * could sign identities, forge consent cookies, act as the operator or as the Access client).
 */
const GATEWAY_SECRETS = new Set(['IDENTITY_SIGNING_KEY', 'COOKIE_SIGNING_KEY', 'ADMIN_TOKEN', 'ACCESS_CLIENT_SECRET']);

/** A mistake in the container bindings; names every problem at once. */
export class ContainerSettingsError extends Error {
  override name = 'ContainerSettingsError';
  constructor(readonly problems: string[]) {
    super(`MCP container is misconfigured: ${problems.join('; ')}`);
  }
}

/**
 * Reads and checks the container settings.
 *
 * @example
 * ```ts
 * const settings = readContainerSettings(env); // throws ContainerSettingsError naming each bad binding
 * settings.allowedHosts; // ['api.github.com']
 * ```
 */
export function readContainerSettings(env: Readonly<Record<string, unknown>>): ContainerSettings {
  const problems: string[] = [];
  const text = (name: string) => (typeof env[name] === 'string' ? env[name].trim() : '');
  const list = (name: string) =>
    text(name)
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean);

  const scope = text('MCP_CONTAINER_SCOPE') || 'user';
  if (scope !== 'user' && scope !== 'tenant')
    problems.push(`MCP_CONTAINER_SCOPE must be "user" or "tenant", got ${JSON.stringify(scope)}`);
  const sleepAfter = text('MCP_CONTAINER_SLEEP_AFTER') || DEFAULT_SLEEP_AFTER;
  if (!/^\d+(s|m|h)$/.test(sleepAfter))
    problems.push(`MCP_CONTAINER_SLEEP_AFTER must look like 30s, 15m or 2h, got ${JSON.stringify(sleepAfter)}`);
  const allowedHosts = list('MCP_CONTAINER_ALLOWED_HOSTS');
  for (const host of allowedHosts) {
    if (!/^(\*\.)?[a-z0-9.-]+$/i.test(host))
      problems.push(`MCP_CONTAINER_ALLOWED_HOSTS: ${JSON.stringify(host)} is not a host name`);
  }

  const identityKey = text('IDENTITY_SIGNING_KEY');
  if (!identityKey)
    problems.push('IDENTITY_SIGNING_KEY is not set (the bridge refuses requests without a signed identity)');
  const envVars: Record<string, string> = { BRIDGE_IDENTITY_AUDIENCE: CONTAINER_MCP_URL };
  const secretNames = list('MCP_CONTAINER_SECRET_NAMES');
  for (const name of secretNames) {
    if (GATEWAY_SECRETS.has(name)) {
      problems.push(`MCP_CONTAINER_SECRET_NAMES: ${name} is the gateway's own secret and never enters the container`);
    } else if (!/^[A-Z_][A-Z0-9_]*$/.test(name) || RESERVED_NAMES.test(name)) {
      problems.push(`MCP_CONTAINER_SECRET_NAMES: ${JSON.stringify(name)} is not a usable variable name`);
    } else if (typeof env[name] !== 'string') {
      problems.push(`MCP_CONTAINER_SECRET_NAMES names ${name}, but the Worker has no secret of that name`);
    } else {
      envVars[name] = env[name];
    }
  }
  // The bridge copies exactly these names from its environment into the stdio server's.
  if (secretNames.length > 0) envVars.MCP_SERVER_ENV = secretNames.join(',');
  for (const [binding, bridgeVariable] of [
    ['MCP_CONTAINER_SHARED_CHILD', 'MCP_SERVER_SHARED'],
    ['MCP_CONTAINER_USER_ENV', 'MCP_SERVER_USER_ENV'],
  ] as const) {
    const value = text(binding);
    if (value === '') continue;
    if (value !== '0' && value !== '1') problems.push(`${binding} must be 1 or 0, got ${JSON.stringify(value)}`);
    else envVars[bridgeVariable] = value;
  }
  if (problems.length > 0) throw new ContainerSettingsError(problems);
  return { scope: scope as ContainerSettings['scope'], sleepAfter, allowedHosts, envVars };
}

/**
 * The name a container instance's identity key is derived for (`deriveUpstreamKey`): its Durable
 * Object id, which the Worker computes with `idFromName` and the instance reads from `ctx.id`.
 *
 * @example
 * ```ts
 * containerUpstreamName(env.MCP_CONTAINER.idFromName('user:abc')); // 'container:4f1c…'
 * ```
 */
export function containerUpstreamName(id: { toString(): string }): string {
  return `container:${id.toString()}`;
}

/**
 * The name of the container instance that serves `user`: their stable Access id, or their email
 * domain when containers are shared per tenant. Different users never share a `user` instance.
 *
 * @example
 * ```ts
 * containerInstanceName({ sub: 'abc', email: 'alice@example.com' }, 'tenant'); // 'tenant:example.com'
 * ```
 */
export function containerInstanceName(user: { sub: string; email: string }, scope: ContainerSettings['scope']): string {
  if (scope === 'tenant') {
    const domain = user.email.split('@').at(-1)?.toLowerCase();
    if (!domain || !user.email.includes('@'))
      throw new ContainerSettingsError([`cannot tell the tenant of ${JSON.stringify(user.email)}`]);
    return `tenant:${domain}`;
  }
  if (!user.sub) throw new ContainerSettingsError(['the user has no stable id (sub)']);
  return `user:${user.sub}`;
}
