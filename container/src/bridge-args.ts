/**
 * The bridge's command line and environment, turned into {@link BridgeOptions} fields.
 * Pure (no I/O), so the CLI's rules are tested without starting anything.
 */
import { parseArgs } from 'node:util';
import type { BridgeIdentity, BridgeOptions } from './bridge.ts';
import type { BridgeLimits } from './bridge-limits.ts';

/** A mistake in the command line or environment; its message is meant for the person who made it. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** What the CLI passes to `startBridge`; port and host stay unset when given nowhere, so its defaults apply. */
export type BridgeArgs = Pick<
  BridgeOptions,
  'command' | 'port' | 'host' | 'env' | 'shareChildPerUser' | 'identityEnv' | 'limits'
>;

/** Environment variables that set a limit, in milliseconds or counts (positive integers). */
const LIMIT_VARIABLES: Record<string, keyof BridgeLimits> = {
  BRIDGE_MAX_REQUEST_BYTES: 'maxRequestBodyBytes',
  BRIDGE_MAX_RESPONSE_BYTES: 'maxResponseBytes',
  BRIDGE_REQUEST_TIMEOUT_MS: 'requestTimeoutMs',
  BRIDGE_MAX_CONCURRENT_REQUESTS: 'maxConcurrentRequests',
  BRIDGE_MAX_CONCURRENT_REQUESTS_PER_USER: 'maxConcurrentRequestsPerUser',
  BRIDGE_MAX_CHILDREN: 'maxChildren',
  BRIDGE_MAX_SESSIONS_PER_USER: 'maxSessionsPerUser',
  BRIDGE_IDLE_MS: 'idleMs',
  BRIDGE_DRAIN_MS: 'drainMs',
};

/**
 * Reads `[--port N] [--host H] -- <command> [args...]`. Without a command after `--`, the command
 * comes from `MCP_SERVER_COMMAND` (a JSON array of strings); `BRIDGE_PORT` and `BRIDGE_HOST` are
 * used when the flags are absent. Throws {@link UsageError} for anything it cannot use.
 */
export function parseBridgeArgs(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): BridgeArgs {
  const { values, tokens } = parseCommandLine(argv);
  const terminator = tokens.find((token) => token.kind === 'option-terminator');
  const stray = tokens.find((token) => token.kind === 'positional' && (!terminator || token.index < terminator.index));
  if (stray) throw new UsageError(`unexpected argument "${argv[stray.index]}": put the command after --`);

  const commandAfterTerminator = terminator ? argv.slice(terminator.index + 1) : [];
  // An empty environment variable counts as unset; an empty flag is a mistake.
  const port = values.port ?? (env.BRIDGE_PORT || undefined);
  const host = values.host ?? (env.BRIDGE_HOST || undefined);
  if (host === '') throw new UsageError('--host must not be empty');
  return {
    command: commandAfterTerminator.length > 0 ? [...commandAfterTerminator] : commandFromEnv(env.MCP_SERVER_COMMAND),
    port: port === undefined ? undefined : parsePort(port, values.port === undefined ? 'BRIDGE_PORT' : '--port'),
    host,
    env: serverEnvFromAllowList(env),
    shareChildPerUser: flag(env, 'MCP_SERVER_SHARED'),
    identityEnv: flag(env, 'MCP_SERVER_USER_ENV') ? userEnvironment : undefined,
    limits: limitsFromEnv(env),
  };
}

/** `1`/`true` or `0`/`false`/unset; anything else is a mistake. */
function flag(env: Readonly<Record<string, string | undefined>>, name: string): boolean | undefined {
  const value = env[name]?.trim().toLowerCase();
  if (value === undefined || value === '') return undefined;
  if (value === '1' || value === 'true') return true;
  if (value === '0' || value === 'false') return false;
  throw new UsageError(`${name} must be 1 or 0, got "${env[name]}"`);
}

/** What `MCP_SERVER_USER_ENV=1` tells the stdio server about its (verified) user. */
function userEnvironment(identity: BridgeIdentity): Record<string, string> {
  return {
    MCP_USER_KEY: identity.userKey,
    ...(identity.email === undefined ? {} : { MCP_USER_EMAIL: identity.email }),
    ...(identity.groups === undefined ? {} : { MCP_USER_GROUPS: identity.groups.join(',') }),
  };
}

function limitsFromEnv(env: Readonly<Record<string, string | undefined>>): Partial<BridgeLimits> | undefined {
  const limits: Partial<BridgeLimits> = {};
  for (const [name, limit] of Object.entries(LIMIT_VARIABLES)) {
    const text = env[name];
    if (text === undefined || text === '') continue;
    if (!/^[1-9]\d{0,9}$/.test(text)) throw new UsageError(`${name} must be a positive whole number, got "${text}"`);
    limits[limit] = Number(text);
  }
  return Object.keys(limits).length > 0 ? limits : undefined;
}

/**
 * The stdio server's environment: exactly the variables named in `MCP_SERVER_ENV` (comma-separated),
 * copied from the bridge's environment. A named variable that is not set is a mistake.
 */
function serverEnvFromAllowList(env: Readonly<Record<string, string | undefined>>): Record<string, string> | undefined {
  const names = (env.MCP_SERVER_ENV ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  if (names.length === 0) return undefined;
  const copied: Record<string, string> = {};
  for (const name of names) {
    const value = env[name];
    if (value === undefined) throw new UsageError(`MCP_SERVER_ENV names ${name}, which is not set`);
    copied[name] = value;
  }
  return copied;
}

function parseCommandLine(argv: readonly string[]) {
  try {
    return parseArgs({
      args: [...argv],
      options: { port: { type: 'string' }, host: { type: 'string' } },
      allowPositionals: true,
      strict: true,
      tokens: true,
    });
  } catch (error) {
    // Node's messages are clear ("Unknown option '--x'"); they only need to become usage errors.
    throw new UsageError((error as Error).message);
  }
}

function parsePort(text: string, source: string): number {
  const port = /^\d{1,5}$/.test(text) ? Number(text) : NaN;
  if (!(port >= 0 && port <= 65_535))
    throw new UsageError(`${source} must be a port number from 0 to 65535, got "${text}"`);
  return port;
}

function commandFromEnv(json: string | undefined): string[] {
  if (json === undefined || json.trim() === '') {
    throw new UsageError('no MCP server command: give it after -- or set MCP_SERVER_COMMAND');
  }
  let command: unknown;
  try {
    command = JSON.parse(json);
  } catch {
    command = undefined;
  }
  const isCommand =
    Array.isArray(command) &&
    command.length > 0 &&
    command.every((part) => typeof part === 'string') &&
    command[0] !== '';
  if (!isCommand) {
    throw new UsageError('MCP_SERVER_COMMAND must be a JSON array of strings, e.g. ["node","server.js","stdio"]');
  }
  return command as string[];
}
