/**
 * Helpers shared by the container tests: the stdio server they run and checks that processes are gone.
 */
import { existsSync } from 'node:fs';
import { serverEverythingCommand } from '../../dev/stack/server-everything.ts';
import { isRunning, livingProcessesInGroup } from '../../test/support/processes.ts';

/** `@modelcontextprotocol/server-everything` over stdio, run by this very Node. */
export const SERVER_EVERYTHING: string[] = serverEverythingCommand();

export { isRunning };

/**
 * Whether a stdio child is entirely gone: reaped (no zombie left in /proc) and nothing left running
 * in its process group (no orphan it started). Each child leads a process group of its own.
 */
export function isGoneWithItsGroup(pid: number): boolean {
  return !existsSync(`/proc/${pid}`) && livingProcessesInGroup(pid).length === 0;
}
