/**
 * Process checks for tests that start real processes (Linux /proc). A zombie, exited
 * but not yet reaped by its parent, counts as gone: it runs nothing and holds no port.
 */
import { readdirSync, readFileSync } from 'node:fs';

interface ProcStat {
  pid: number;
  state: string;
  processGroup: number;
}

function readStat(pid: number): ProcStat | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces and parentheses: parse after its last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { pid, state: fields[0]!, processGroup: Number(fields[2]) };
  } catch {
    return undefined;
  }
}

/** Whether `pid` is a live process. */
export function isRunning(pid: number): boolean {
  const stat = readStat(pid);
  return stat !== undefined && stat.state !== 'Z';
}

/** The live processes of process group `processGroup`, e.g. a wrangler and the workerd it started. */
export function livingProcessesInGroup(processGroup: number): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map((name) => readStat(Number(name)))
    .filter((stat): stat is ProcStat => stat !== undefined && stat.processGroup === processGroup && stat.state !== 'Z')
    .map((stat) => stat.pid);
}
