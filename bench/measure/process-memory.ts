/**
 * Resident memory of one process from /proc: the single reading that every memory figure of the
 * benchmark and the load test is built on.
 */
import { readFile, readdir } from 'node:fs/promises';

/** Resident memory of one process, from `/proc/<pid>/status`, in KiB. */
export interface ProcessMemory {
  pid: number;
  /** Resident set size now (`VmRSS`). */
  rssKiB: number;
  /** Peak resident set size since the process started (`VmHWM`). */
  peakRssKiB: number;
}

/**
 * Reads `VmRSS` and `VmHWM` out of the text of `/proc/<pid>/status`. Pure.
 *
 * @example
 * ```ts
 * parseProcStatus(1, 'VmHWM:\t  2048 kB\nVmRSS:\t  1024 kB\n'); // { pid: 1, rssKiB: 1024, peakRssKiB: 2048 }
 * ```
 */
export function parseProcStatus(pid: number, status: string): ProcessMemory {
  const field = (name: string) => {
    const match = new RegExp(`^${name}:\\s+(\\d+) kB$`, 'm').exec(status);
    if (!match) throw new Error(`/proc/${pid}/status has no ${name} line (a kernel thread, or not Linux?)`);
    return Number(match[1]);
  };
  return { pid, rssKiB: field('VmRSS'), peakRssKiB: field('VmHWM') };
}

/**
 * The memory of a living process; `undefined` once it has exited.
 *
 * @example
 * ```ts
 * const memory = await readProcessMemory(process.pid);
 * ```
 */
export async function readProcessMemory(pid: number): Promise<ProcessMemory | undefined> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => undefined);
  return status === undefined ? undefined : parseProcStatus(pid, status);
}

/**
 * Every descendant of `pid` (children, their children, ...), from `/proc/<pid>/task/<tid>/children`.
 *
 * @example
 * ```ts
 * const workerd = (await descendantPids(wrangler.pid)).filter(...);
 * ```
 */
export async function descendantPids(pid: number): Promise<number[]> {
  const found: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const parent = queue.shift()!;
    const tasks = await readdir(`/proc/${parent}/task`).catch(() => [] as string[]);
    for (const task of tasks) {
      const text = await readFile(`/proc/${parent}/task/${task}/children`, 'utf8').catch(() => '');
      for (const child of text.split(/\s+/).filter(Boolean).map(Number)) {
        if (!found.includes(child)) {
          found.push(child);
          queue.push(child);
        }
      }
    }
  }
  return found;
}

/** The command line of a process (arguments joined with spaces); '' once it has exited. */
export async function readCommandLine(pid: number): Promise<string> {
  const raw = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  return raw.split('\0').filter(Boolean).join(' ');
}
