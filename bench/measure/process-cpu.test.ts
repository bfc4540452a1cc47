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
    // At least 200 ms over 10 calls, whatever the load: /proc and process.cpuUsage() read the same
    // kernel count (the process's run time, split into user and system time), and /proc's readings
    // enclose the spin. Only rounding separates them: /proc rounds user and system time down to
    // clock ticks (10 ms) each, so a difference of two readings may come out up to two ticks short.
    expect(shares[0]!.msPerCall).toBeGreaterThanOrEqual((spinMs - 20) / 10);
    expect(shares[0]!.cores).toBeGreaterThan(0);
  });
});
