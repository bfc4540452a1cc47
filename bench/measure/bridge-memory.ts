/**
 * What a bridge and its stdio servers cost in memory, read from /proc: the figure behind "what
 * does one more session cost", which decides how many sessions a container's instance type holds.
 */
import { descendantPids, readCommandLine, readProcessMemory } from './process-memory.ts';

/** Memory of a bridge process and its stdio children, in MiB. */
export interface BridgeMemory {
  /** The bridge process before any session (resident). */
  idleMiB: number;
  /** The bridge process's peak resident memory so far. */
  peakMiB: number;
  /** Stdio server processes running under it. */
  children: number;
  /** Peak resident memory of one stdio child, averaged over the children. */
  childPeakMiB: number;
  /** What one more session costs at peak: the bridge's own growth per child plus one child. */
  perChildPeakMiB: number;
}

const mib = (kib: number) => Math.round((kib / 1024) * 10) / 10;

/**
 * Reads the bridge process and its descendants that run `serverMarker` (the stdio server)
 * from /proc. `idleRssKiB` is the bridge's resident memory before sessions were opened.
 *
 * @example
 * ```ts
 * const idle = (await readProcessMemory(bridgePid))!.rssKiB;
 * // ... open sessions, run calls ...
 * const memory = await readBridgeMemory(bridgePid, idle, 'server-everything');
 * ```
 */
export async function readBridgeMemory(
  bridgePid: number,
  idleRssKiB: number,
  serverMarker: string,
): Promise<BridgeMemory> {
  const bridge = await readProcessMemory(bridgePid);
  if (!bridge) throw new Error(`the bridge (pid ${bridgePid}) is not running`);
  const children = [];
  for (const pid of await descendantPids(bridgePid)) {
    if (!(await readCommandLine(pid)).includes(serverMarker)) continue;
    const memory = await readProcessMemory(pid);
    if (memory) children.push(memory);
  }
  if (children.length === 0) throw new Error(`no process running ${serverMarker} under the bridge`);
  const childPeakKiB = children.reduce((sum, child) => sum + child.peakRssKiB, 0) / children.length;
  const bridgeGrowthPerChildKiB = Math.max(0, bridge.peakRssKiB - idleRssKiB) / children.length;
  return {
    idleMiB: mib(idleRssKiB),
    peakMiB: mib(bridge.peakRssKiB),
    children: children.length,
    childPeakMiB: mib(childPeakKiB),
    perChildPeakMiB: mib(bridgeGrowthPerChildKiB + childPeakKiB),
  };
}
