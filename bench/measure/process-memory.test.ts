import { describe, expect, it } from 'vitest';
import { parseProcStatus, readProcessMemory } from './process-memory.ts';

describe('parseProcStatus', () => {
  it('reads current and peak resident memory', () => {
    const status = 'Name:\tnode\nVmPeak:\t 999999 kB\nVmHWM:\t   81234 kB\nVmRSS:\t   70000 kB\nThreads:\t11\n';
    expect(parseProcStatus(42, status)).toEqual({ pid: 42, rssKiB: 70000, peakRssKiB: 81234 });
  });

  it('says which line is missing', () => {
    expect(() => parseProcStatus(2, 'Name:\tkthreadd\n')).toThrow(/\/proc\/2\/status has no VmRSS line/);
  });

  it('reads this very process', async () => {
    const memory = await readProcessMemory(process.pid);
    expect(memory!.rssKiB).toBeGreaterThan(1000);
    expect(memory!.peakRssKiB).toBeGreaterThanOrEqual(memory!.rssKiB);
  });
});
