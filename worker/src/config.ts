/**
 * The Worker's configuration, read once from `env` and checked, so a missing or
 * malformed binding is one clear message instead of a failure deep in a request.
 */

/** The identity the Worker learns from Access and keeps in each grant's props. */
export interface UserProps {
  /** Access's stable user id (`sub` of the id_token). */
  sub: string;
  email: string;
  name: string;
  groups: string[];
}

export interface AccessEndpoints {
  issuer: string;
  clientId: string;
  clientSecret: string;
  authorizationUrl: string;
  tokenUrl: string;
  jwksUrl: string;
}

export interface WorkerConfig {
  /** Public origin, e.g. `http://localhost:8788`. */
  publicUrl: string;
  /** The MCP endpoint: the OAuth resource every token is bound to. */
  resource: string;
  /** The Worker's redirect URI registered at Access. */
  callbackUrl: string;
  access: AccessEndpoints;
  upstreamUrl: string | undefined;
}

/** Thrown when the Worker's bindings are missing or malformed; names every problem at once. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`secure-mcp Worker is misconfigured: ${problems.join('; ')}`);
    this.name = 'ConfigError';
  }
}

const urlBindings = [
  'PUBLIC_URL',
  'ACCESS_ISSUER',
  'ACCESS_AUTHORIZATION_URL',
  'ACCESS_TOKEN_URL',
  'ACCESS_JWKS_URL',
] as const;

/**
 * Reads and validates the Worker's configuration.
 *
 * @example
 * ```ts
 * const config = readConfig(env); // throws ConfigError naming each bad binding
 * config.resource; // 'https://mcp.example.com/mcp'
 * ```
 */
export function readConfig(env: Cloudflare.Env): WorkerConfig {
  const problems: string[] = [];
  for (const name of urlBindings) {
    const value = env[name];
    if (!value) problems.push(`${name} is not set`);
    else if (!isHttpUrl(value)) problems.push(`${name} must be an http(s) URL, got ${JSON.stringify(value)}`);
  }
  if (!env.ACCESS_CLIENT_ID) problems.push('ACCESS_CLIENT_ID is not set');
  if (!env.ACCESS_CLIENT_SECRET) problems.push('ACCESS_CLIENT_SECRET is not set');
  if (env.UPSTREAM_URL && !isHttpUrl(env.UPSTREAM_URL)) {
    problems.push(`UPSTREAM_URL must be an http(s) URL, got ${JSON.stringify(env.UPSTREAM_URL)}`);
  }
  if (!env.OAUTH_KV) problems.push('the OAUTH_KV binding is missing');
  if (problems.length > 0) throw new ConfigError(problems);

  const publicUrl = new URL(env.PUBLIC_URL).origin;
  return {
    publicUrl,
    resource: `${publicUrl}/mcp`,
    callbackUrl: `${publicUrl}/callback`,
    access: {
      issuer: env.ACCESS_ISSUER,
      clientId: env.ACCESS_CLIENT_ID,
      clientSecret: env.ACCESS_CLIENT_SECRET,
      authorizationUrl: env.ACCESS_AUTHORIZATION_URL,
      tokenUrl: env.ACCESS_TOKEN_URL,
      jwksUrl: env.ACCESS_JWKS_URL,
    },
    upstreamUrl: env.UPSTREAM_URL || undefined,
  };
}

function isHttpUrl(value: string): boolean {
  try {
    const { protocol } = new URL(value);
    return protocol === 'https:' || protocol === 'http:';
  } catch {
    return false;
  }
}
