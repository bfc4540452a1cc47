/**
 * Helpers shared by the container tests: the stdio server they run and a check that a process is gone.
 */
import { serverEverythingCommand } from '../../dev/stack/server-everything.ts';

/** `@modelcontextprotocol/server-everything` over stdio, run by this very Node. */
export const SERVER_EVERYTHING: string[] = serverEverythingCommand();

export { isRunning } from '../../test/support/processes.ts';
