import { describe, expect, it } from 'vitest';
import { cpuPerCall, parseProcStatCpuMs } from './process-cpu.ts';

describe('parseProcStatCpuMs', () => {
  it('adds user and system time, in ms', () => {
    expect(parseProcStatCpuMs('42 (node) S 1 42 42 0 -1 4194304 1 0 0 0 250 50 0 0 20 0 11 0 1 1 1')).toBe(3000);
  });

  it('counts fields after the command name, which may hold spaces and parentheses', () => {
    expect(parseProcStatCpuMs('7 (a (b) c) R 1 7 7 0 -1 0 0 0 0 0 3 4 0 0 20 0 1 0 1 1 1')).toBe(70);
  });

  it('refuses a line that is not one', () => {
    expect(() => parseProcStatCpuMs('nonsense')).toThrow(/not a \/proc\/<pid>\/stat line/);
  });
});

describe('cpuPerCall', () => {
  it('charges busy work to this process, per call', async () => {
    // Spin until this process has used 200 ms of CPU (not 200 ms of wall time, which a busy
    // machine would share with others): the figure must not depend on the machine's load.
    const spinMs = 200;
    const shares = await cpuPerCall(
      [process.pid],
      () => 'this process',
      async () => {
        const start = process.cpuUsage();
        const usedMs = () => {
          const { user, system } = process.cpuUsage(start);
          return (user + system) / 1000;
        };
        while (usedMs() < spinMs) Math.sqrt(Math.random());
        return 10;
      },
    );
    expect(shares).toHaveLength(1);
    expect(shares[0]!.name).toBe('this process');
    // At least 200 ms over 10 calls, less one clock tick (10 ms) of /proc's rounding.
    expect(shares[0]!.msPerCall).toBeGreaterThanOrEqual((spinMs - 10) / 10);
    expect(shares[0]!.cores).toBeGreaterThan(0);
  });
});
