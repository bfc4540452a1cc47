/**
 * The benchmark's floor: a client talking stdio straight to the server, with no gateway, no bridge
 * and no HTTP, against which every other path's cost is read.
 */
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { serverEverythingCommand } from '../../dev/stack/server-everything.ts';
import { connectBenchClient, type EchoPath } from './echo-path.ts';

/**
 * The floor: an MCP SDK client speaking stdio to its own server-everything process,
 * no HTTP anywhere.
 *
 * @example
 * ```ts
 * const path = directStdioPath();
 * const client = await path.openClient();
 * ```
 */
export function directStdioPath(): EchoPath {
  const [command, ...args] = serverEverythingCommand();
  return {
    id: 'direct-stdio',
    label: 'direct stdio (floor)',
    openClient: () => connectBenchClient(new StdioClientTransport({ command: command!, args, stderr: 'ignore' })),
    stop: async () => {},
  };
}
