/**
 * The bridge's command line: `bridge [--port N] [--host H] -- <command> [args...]`
 * (or the command in `MCP_SERVER_COMMAND`; `BRIDGE_PORT`, `BRIDGE_HOST` as defaults for the flags).
 * A startup mistake ends with one line on stderr and exit code 1; SIGTERM and SIGINT close the
 * bridge and its children, then exit 0.
 */
import { parseBridgeArgs, UsageError, type BridgeArgs } from './bridge-args.ts';
import { DEFAULT_HOST, DEFAULT_PORT, startBridge, type BridgeOptions, type RunningBridge } from './bridge.ts';
import { identityAuthenticator, IdentityTokenError } from './identity-token.ts';

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
 * The Worker-signed identity check: `BRIDGE_IDENTITY_KEY` (the Worker's `IDENTITY_SIGNING_KEY`) and
 * `BRIDGE_IDENTITY_AUDIENCE` (the URL the Worker forwards to). Without a key the bridge serves
 * anonymous requests, which is allowed on a loopback address only.
 */
function readAuthenticate(args: BridgeArgs): BridgeOptions['authenticate'] {
  const key = process.env.BRIDGE_IDENTITY_KEY;
  const audience = process.env.BRIDGE_IDENTITY_AUDIENCE;
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

async function listen(args: BridgeArgs): Promise<RunningBridge> {
  try {
    return await startBridge({ ...args, authenticate: readAuthenticate(args) });
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    const address = `${args.host ?? DEFAULT_HOST}:${args.port ?? DEFAULT_PORT}`;
    if (code === 'EADDRINUSE') exitWithError(`cannot listen on ${address}: the port is already in use`);
    return exitWithError(`cannot listen on ${address}: ${message}`);
  }
}

const bridge = await listen(readArgs());
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  // `once`: a second Ctrl-C falls through to Node's default and ends the process at once.
  process.once(signal, () => void bridge.close().then(() => process.exit(0)));
}
