/**
 * The Worker's configuration, read once from `env` and checked, so a missing or
 * malformed binding is one clear message instead of a failure deep in a request.
 */

import type { DriftMode } from '../../policies/model/pinned-definition.ts';

/** The identity the Worker learns from Access and keeps in each grant's props. */
export interface UserProps {
  /** Access's stable user id (`sub` of the id_token). */
  sub: string;
  email: string;
  name: string;
  /** Group values as `access/groups-claim.ts` read them from the id_token (tool policies match these). */
  groups: string[];
  /** When the person signed in (ms since the epoch); a revocation mark newer than this ends the grant. */
  signedInAt?: number;
  /**
   * The id_token's claims by name, each with its shape (never its value), for the operator's
   * first-minute check (`GET /mcp/identity`). Absent in grants made before it existed.
   */
  claims?: Record<string, string>;
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
  /** Signs the identity header every forwarded request carries (docs/security.md 10). */
  identitySigningKey: string;
  /** Signs the "remember this client" consent cookie. */
  cookieSecret: string;
  /** Browser origins allowed on `/mcp`: the Worker's own and any configured. */
  allowedOrigins: string[];
  /** Host names DCR redirect URIs may use (loopback always may); empty means any https host. */
  redirectHostAllowlist: string[];
  /** Bearer secret of the operator routes; undefined turns them off. */
  adminToken: string | undefined;
  /** What the gate does with a definition that differs from its pin: `hide` (default) or `warn`. */
  definitionDrift: DriftMode;
  /** Whether Client ID Metadata Documents may live on this machine (loopback): the local stack only. */
  clientMetadataLoopback: boolean;
  /** How the Access id_token is read: the group field tool policies match, and whether a nonce must come back. */
  signIn: { groupsField: 'name' | 'id' | 'email'; nonce: 'required' | 'if-present' };
  /** Approvals (docs/policies.md): how long a call waits for a person before it fails. */
  approvals: { waitMs: number };
}

/** How long a call waits for a confirmation or an approval unless `APPROVAL_WAIT` says otherwise. */
const DEFAULT_APPROVAL_WAIT_MS = 5 * 60_000;

/** Shortest accepted secret (a random 32-byte key is 43 characters of base64url). */
const MIN_SECRET_LENGTH = 32;

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

/** Configurations read, by the `env` object they were read from. */
const configs = new WeakMap<Cloudflare.Env, WorkerConfig>();

/**
 * Reads and validates the Worker's configuration. workerd passes the same `env` object to
 * every request of an isolate, and bindings do not change while it lives, so the configuration
 * of an `env` is read once (and frozen, as every request shares it) instead of parsing seven
 * URLs per request, which showed in the Worker's CPU profile.
 *
 * @example
 * ```ts
 * const config = readConfig(env); // throws ConfigError naming each bad binding
 * config.resource; // 'https://mcp.example.com/mcp'
 * ```
 */
export function readConfig(env: Cloudflare.Env): WorkerConfig {
  let config = configs.get(env);
  if (!config) {
    config = checkConfig(env);
    configs.set(env, config);
  }
  return config;
}

function checkConfig(env: Cloudflare.Env): WorkerConfig {
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
  for (const name of ['IDENTITY_SIGNING_KEY', 'COOKIE_SIGNING_KEY'] as const) {
    if (!env[name]) problems.push(`${name} is not set`);
    else if (env[name].length < MIN_SECRET_LENGTH)
      problems.push(`${name} must be at least ${MIN_SECRET_LENGTH} characters`);
  }
  if (env.ADMIN_TOKEN && env.ADMIN_TOKEN.length < MIN_SECRET_LENGTH) {
    problems.push(`ADMIN_TOKEN must be at least ${MIN_SECRET_LENGTH} characters`);
  }
  const groupsField = env.ACCESS_GROUPS_FIELD || 'name';
  if (groupsField !== 'name' && groupsField !== 'id' && groupsField !== 'email')
    problems.push(`ACCESS_GROUPS_FIELD must be name, id or email, got ${JSON.stringify(env.ACCESS_GROUPS_FIELD)}`);
  const nonce = env.ACCESS_NONCE || 'required';
  if (nonce !== 'required' && nonce !== 'if-present')
    problems.push(`ACCESS_NONCE must be required or if-present, got ${JSON.stringify(env.ACCESS_NONCE)}`);
  const approvalWaitMs = env.APPROVAL_WAIT ? durationMs(env.APPROVAL_WAIT) : DEFAULT_APPROVAL_WAIT_MS;
  if (approvalWaitMs === undefined || approvalWaitMs < 1_000 || approvalWaitMs > 3_600_000)
    problems.push(
      `APPROVAL_WAIT must be a duration from 1s to 1h like 90s or 5m, got ${JSON.stringify(env.APPROVAL_WAIT)}`,
    );
  const allowedOrigins = commaList(env.ALLOWED_ORIGINS);
  for (const origin of allowedOrigins) {
    if (!isHttpUrl(origin) || new URL(origin).origin !== origin) {
      problems.push(`ALLOWED_ORIGINS must list origins like https://app.example.com, got ${JSON.stringify(origin)}`);
    }
  }
  if (env.DEFINITION_DRIFT && env.DEFINITION_DRIFT !== 'hide' && env.DEFINITION_DRIFT !== 'warn') {
    problems.push(`DEFINITION_DRIFT must be hide or warn, got ${JSON.stringify(env.DEFINITION_DRIFT)}`);
  }
  if (
    env.CLIENT_METADATA_LOOPBACK &&
    env.CLIENT_METADATA_LOOPBACK !== 'allow' &&
    env.CLIENT_METADATA_LOOPBACK !== 'refuse'
  ) {
    problems.push(
      `CLIENT_METADATA_LOOPBACK must be allow or refuse, got ${JSON.stringify(env.CLIENT_METADATA_LOOPBACK)}`,
    );
  }
  if (problems.length > 0) throw new ConfigError(problems);

  const publicUrl = new URL(env.PUBLIC_URL).origin;
  return deepFreeze({
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
    identitySigningKey: env.IDENTITY_SIGNING_KEY,
    cookieSecret: env.COOKIE_SIGNING_KEY,
    allowedOrigins: [publicUrl, ...allowedOrigins],
    redirectHostAllowlist: commaList(env.REDIRECT_HOST_ALLOWLIST).map((host) => host.toLowerCase()),
    adminToken: env.ADMIN_TOKEN || undefined,
    definitionDrift: env.DEFINITION_DRIFT === 'warn' ? 'warn' : 'hide',
    clientMetadataLoopback: env.CLIENT_METADATA_LOOPBACK === 'allow',
    signIn: {
      groupsField: groupsField as WorkerConfig['signIn']['groupsField'],
      nonce: nonce as WorkerConfig['signIn']['nonce'],
    },
    approvals: { waitMs: approvalWaitMs! },
  });
}

/** Shared by every request of the isolate, so nobody may change it. */
function deepFreeze<T extends object>(value: T): T {
  for (const field of Object.values(value)) if (typeof field === 'object' && field !== null) deepFreeze(field);
  return Object.freeze(value);
}

/** `90s`, `5m`, `1h` in milliseconds; undefined for anything else. */
function durationMs(value: string): number | undefined {
  const match = /^([1-9]\d*)(s|m|h)$/.exec(value.trim());
  if (!match) return undefined;
  return Number(match[1]) * { s: 1_000, m: 60_000, h: 3_600_000 }[match[2] as 's' | 'm' | 'h'];
}

function commaList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

function isHttpUrl(value: string): boolean {
  try {
    const { protocol } = new URL(value);
    return protocol === 'https:' || protocol === 'http:';
  } catch {
    return false;
  }
}
