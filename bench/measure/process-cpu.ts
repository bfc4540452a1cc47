/**
 * CPU time per call of the processes a call passes through, read from /proc, so the benchmark says
 * where a machine's time goes and not only how long a caller waits.
 */
import { readFile } from 'node:fs/promises';
import { readCommandLine } from './process-memory.ts';

/** Clock ticks per second of `/proc/<pid>/stat` times (`getconf CLK_TCK`; 100 on Linux x86-64 and arm64). */
const TICKS_PER_SECOND = 100;

/**
 * CPU time a process has used (user + system), in ms, out of the text of `/proc/<pid>/stat`.
 * The command name in parentheses may hold spaces, so fields are counted after its closing `)`. Pure.
 *
 * @example
 * ```ts
 * parseProcStatCpuMs('42 (node) S 1 42 42 0 -1 4194304 1 0 0 0 250 50 0 0 20 0 11 0 1 1 1'); // 3000
 * ```
 */
export function parseProcStatCpuMs(stat: string): number {
  const afterName = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 14 and 15 of proc(5) (utime, stime) are the 12th and 13th after the name.
  const utime = Number(afterName[11]);
  const stime = Number(afterName[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime))
    throw new Error(`not a /proc/<pid>/stat line: ${stat.slice(0, 80)}`);
  return ((utime + stime) * 1000) / TICKS_PER_SECOND;
}

/** CPU time used by one named group of processes over a measured stretch. */
export interface CpuShare {
  name: string;
  /** CPU time per completed call, in ms. */
  msPerCall: number;
  /** Share of one core over the stretch (1 = a whole core). */
  cores: number;
}

/**
 * Runs `work` and says how much CPU each group of processes used for it, per call: every pid is
 * named by `nameOf(pid, commandLine)` (groups with the same name are summed); `work` resolves to
 * the number of calls it completed.
 *
 * @example
 * ```ts
 * const shares = await cpuPerCall([process.pid, stackPid], (pid, cmd) => cmd.includes('workerd') ? 'workerd' : 'node', () => run());
 * ```
 */
export async function cpuPerCall(
  pids: readonly number[],
  nameOf: (pid: number, commandLine: string) => string,
  work: () => Promise<number>,
): Promise<CpuShare[]> {
  const read = async (pid: number) => parseProcStatCpuMs(await readFile(`/proc/${pid}/stat`, 'utf8'));
  const names = await Promise.all(pids.map(async (pid) => nameOf(pid, await readCommandLine(pid))));
  const before = await Promise.all(pids.map(read));
  const started = performance.now();
  const calls = await work();
  const elapsedMs = performance.now() - started;
  const after = await Promise.all(pids.map(read));
  const byName = new Map<string, number>();
  pids.forEach((_, i) => byName.set(names[i]!, (byName.get(names[i]!) ?? 0) + after[i]! - before[i]!));
  return [...byName]
    .map(([name, ms]) => ({ name, msPerCall: calls > 0 ? ms / calls : Number.NaN, cores: ms / elapsedMs }))
    .sort((a, b) => b.msPerCall - a.msPerCall);
}
