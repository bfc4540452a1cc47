/**
 * The bridge's command line: `bridge [--port N] [--host H] -- <command> [args...]`
 * (or the command in `MCP_SERVER_COMMAND`; `BRIDGE_PORT`, `BRIDGE_HOST` as defaults for the flags).
 * With `MCP_SERVER_USER` and `MCP_SERVER_RUN_AS` (the image sets both), the stdio server runs
 * under a uid of its own (`server-user.ts`), checked before the bridge listens.
 * A startup mistake ends with one line on stderr and exit code 1; SIGTERM and SIGINT close the
 * bridge and its children, then exit 0.
 */
import { parseBridgeArgs, UsageError, type BridgeArgs } from './bridge-args.ts';
import { DEFAULT_HOST, DEFAULT_PORT, startBridge, type BridgeOptions, type RunningBridge } from './bridge.ts';
import { identityAuthenticator, IdentityTokenError } from './identity-token.ts';
import { platformCaEnvironment } from './platform-ca.ts';
import {
  checkServerUser,
  commandAsServerUser,
  environmentForServerUser,
  readServerUser,
  signalAsServerUser,
} from './server-user.ts';
import { StdioChild } from './stdio-child.ts';

function exitWithError(message: string): never {
  process.stderr.write(`bridge: ${message}\n`);
  process.exit(1);
}

function readArgs(): BridgeArgs {
  try {
    return parseBridgeArgs(process.argv.slice(2), process.env);
  } catch (error) {
    if (error instanceof UsageError) exitWithError(error.message);
    throw error;
  }
}

/**
 * The Worker-signed identity check: `BRIDGE_IDENTITY_KEY` (the key the Worker derives for this
 * upstream from its `IDENTITY_SIGNING_KEY`) and `BRIDGE_IDENTITY_AUDIENCE` (the URL the Worker
 * forwards to). Without a key the bridge serves anonymous requests, which is allowed on a loopback
 * address only. The key leaves `process.env` once read, so nothing the bridge starts later can
 * inherit it by mistake.
 */
function readAuthenticate(args: BridgeArgs): BridgeOptions['authenticate'] {
  const key = process.env.BRIDGE_IDENTITY_KEY;
  const audience = process.env.BRIDGE_IDENTITY_AUDIENCE;
  delete process.env.BRIDGE_IDENTITY_KEY;
  const host = args.host ?? DEFAULT_HOST;
  if (!key) {
    if (host === 'localhost' || host === '::1' || host.startsWith('127.')) return undefined;
    exitWithError(`BRIDGE_IDENTITY_KEY must be set when listening on ${host}: only the Worker may call the bridge`);
  }
  if (!audience)
    exitWithError('BRIDGE_IDENTITY_AUDIENCE must be set with BRIDGE_IDENTITY_KEY (the URL the Worker forwards to)');
  try {
    return identityAuthenticator({ key, audience });
  } catch (error) {
    if (error instanceof IdentityTokenError) exitWithError(`BRIDGE_IDENTITY_KEY: ${error.message}`);
    throw error;
  }
}

async function listen(args: BridgeArgs, authenticate: BridgeOptions['authenticate']): Promise<RunningBridge> {
  try {
    return await startBridge({ ...args, authenticate });
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    const address = `${args.host ?? DEFAULT_HOST}:${args.port ?? DEFAULT_PORT}`;
    if (code === 'EADDRINUSE') exitWithError(`cannot listen on ${address}: the port is already in use`);
    return exitWithError(`cannot listen on ${address}: ${message}`);
  }
}

/** The server's own uid, when configured: the command goes through the helper, signals too. */
async function confineServer(args: BridgeArgs): Promise<BridgeArgs> {
  let user;
  try {
    user = readServerUser();
  } catch (error) {
    if (error instanceof UsageError) exitWithError(error.message);
    throw error;
  }
  if (!user) return args;
  try {
    await checkServerUser(user);
  } catch (error) {
    exitWithError(`the stdio server cannot run as ${user.name}: ${(error as Error).message}`);
  }
  StdioChild.signalForeignGroup = (group, signal) => signalAsServerUser(user, group, signal);
  // The server starts in its own home (the bridge's is closed to it).
  process.chdir(user.home);
  const record = { time: new Date().toISOString(), event: 'bridge.server_user', user: user.name, uid: user.uid };
  process.stdout.write(`${JSON.stringify(record)}\n`);
  return {
    ...args,
    command: commandAsServerUser(args.command, user),
    env: { ...args.env, ...environmentForServerUser(user) },
  };
}

// The platform's HTTPS interception CA, when it is there, under what the operator configured.
const args = ((parsed) => ({ ...parsed, env: { ...platformCaEnvironment(), ...parsed.env } }))(readArgs());
const authenticate = readAuthenticate(args);
const bridge = await listen(await confineServer(args), authenticate);
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  // `once`: a second Ctrl-C falls through to Node's default and ends the process at once.
  process.once(signal, () => void bridge.close().then(() => process.exit(0)));
}
