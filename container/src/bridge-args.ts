/**
 * The bridge's command line and environment, turned into {@link BridgeOptions} fields.
 * Pure (no I/O), so the CLI's rules are tested without starting anything.
 */
import { parseArgs } from 'node:util';
import type { BridgeOptions } from './bridge.ts';

/** A mistake in the command line or environment; its message is meant for the person who made it. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** What the CLI passes to `startBridge`; port and host stay unset when given nowhere, so its defaults apply. */
export type BridgeArgs = Pick<BridgeOptions, 'command' | 'port' | 'host'>;

/**
 * Reads `[--port N] [--host H] -- <command> [args...]`. Without a command after `--`, the command
 * comes from `MCP_SERVER_COMMAND` (a JSON array of strings); `BRIDGE_PORT` and `BRIDGE_HOST` are
 * used when the flags are absent. Throws {@link UsageError} for anything it cannot use.
 */
export function parseBridgeArgs(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): BridgeArgs {
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
  };
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
  if (!(port >= 0 && port <= 65_535)) throw new UsageError(`${source} must be a port number from 0 to 65535, got "${text}"`);
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
    Array.isArray(command) && command.length > 0 && command.every((part) => typeof part === 'string') && command[0] !== '';
  if (!isCommand) {
    throw new UsageError('MCP_SERVER_COMMAND must be a JSON array of strings, e.g. ["node","server.js","stdio"]');
  }
  return command as string[];
}
