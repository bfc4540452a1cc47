import { describe, expect, it } from 'vitest';
import { summarizeWranglerDevProfile } from './wrangler-dev-profile.ts';

const stage = (name: string, median: number) => ({ stage: name, latency: { median } });

describe('summarizeWranglerDevProfile', () => {
  it("keeps the floor and each row's CPU per call, with the part every wrangler dev row pays", () => {
    const summary = summarizeWranglerDevProfile({
      measuredAt: '2026-12-06T01:02:08.017Z',
      stages: [stage('bridge alone: tools/call echo', 0.56), stage('0. `wrangler dev` + a bare "ok" Worker', 2.76)],
      cpuAt32Clients: [
        {
          row: 'whole local stack (echo)',
          callsPerSecond: 331,
          shares: [
            { name: 'workerd: the Worker', msPerCall: 2 },
            { name: "workerd: wrangler's proxy", msPerCall: 1.2 },
            { name: 'bench clients', msPerCall: 0.75 },
            { name: 'bridge (Node)', msPerCall: 0.4 },
            { name: 'wrangler (Node)', msPerCall: 0.25 },
          ],
        },
        {
          row: 'Cloudflare template shape (add)',
          callsPerSecond: 198,
          shares: [
            { name: 'workerd: the Worker', msPerCall: 4.7 },
            { name: 'bench clients (and the Access stand-in)', msPerCall: 0.7 },
          ],
        },
      ],
    });
    expect(summary.floorMs).toBe(2.76);
    expect(summary.cpuAt32[0]).toMatchObject({ row: 'ours', callsPerSecond: 331 });
    expect(summary.cpuAt32[0]!.msPerCall).toBeCloseTo(4.6, 10);
    expect(summary.cpuAt32[0]!.sharedMsPerCall).toBeCloseTo(2.2, 10);
    expect(summary.cpuAt32[1]!.row).toBe('template');
    expect(summary.cpuAt32[1]!.msPerCall).toBeCloseTo(5.4, 10);
    expect(summary.cpuAt32[1]!.sharedMsPerCall).toBeCloseTo(0.7, 10);
  });

  it('refuses a file without the bare Worker stage', () => {
    expect(() => summarizeWranglerDevProfile({ measuredAt: '', stages: [], cpuAt32Clients: [] })).toThrow(/stage 0/);
  });
});
