/**
 * The bridge's command line: `bridge [--port N] [--host H] -- <command> [args...]`
 * (or the command in `MCP_SERVER_COMMAND`; `BRIDGE_PORT`, `BRIDGE_HOST` as defaults for the flags).
 * A startup mistake ends with one line on stderr and exit code 1; SIGTERM and SIGINT close the
 * bridge and its children, then exit 0.
 */
import { parseBridgeArgs, UsageError, type BridgeArgs } from './bridge-args.ts';
import { DEFAULT_HOST, DEFAULT_PORT, startBridge, type RunningBridge } from './bridge.ts';

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

async function listen(args: BridgeArgs): Promise<RunningBridge> {
  try {
    return await startBridge(args);
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    const address = `${args.host ?? DEFAULT_HOST}:${args.port ?? DEFAULT_PORT}`;
    if (code === 'EADDRINUSE') exitWithError(`cannot listen on ${address}: the port is already in use`);
    exitWithError(`cannot listen on ${address}: ${message}`);
  }
}

const bridge = await listen(readArgs());
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  // `once`: a second Ctrl-C falls through to Node's default and ends the process at once.
  process.once(signal, () => void bridge.close().then(() => process.exit(0)));
}
