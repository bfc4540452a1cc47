import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { costEstimate, readMeasuredUsage, type MeasuredUsage } from './cost-estimate.ts';

const measured: MeasuredUsage = {
  measuredOn: '2026-12-06',
  proxiedCall: {
    workerRequests: 1,
    workerCpuMs: 1,
    kvReads: 0,
    kvWrites: 0,
    durableObjectRequests: 1,
    durableObjectActiveSeconds: 0,
    durableObjectRowsWritten: 0,
    logBytes: 0,
  },
  containerRequestsPerCall: 1,
  containerVcpuSecondsPerCall: 0.001,
  containerIdleVcpu: 0,
};

const container = (instanceType: 'lite' | 'basic', maxInstances: number, workerSettings = {}) => ({
  instanceType,
  maxInstances,
  buildArgs: {},
  baseImage: { image: 'node', digest: `sha256:${'0'.repeat(64)}` },
  workerSettings,
});

describe('costEstimate', () => {
  it("prices a million calls and an hour of a person's own container with the stack's instance type and sleepAfter", () => {
    const lines = costEstimate({ container: container('basic', 10), upstreamUrl: undefined }, measured);
    // $0.30 of requests, $0.02 of CPU, $0.15 for the container's Durable Object request.
    expect(lines[1]).toBe(
      '  a million MCP calls: $0.47 (Workers requests $0.30, Workers CPU time $0.020, Durable Object requests $0.15), containers excluded',
    );
    expect(lines[2]).toMatch(
      /^ {2}an hour of one person's use, own container \(basic: 0\.25 vCPU, 1 GiB, 4 GB; sleepAfter 15m\): /,
    );
    // Ten awake basic containers: memory $0.009, disk $0.001, Durable Object $0.0056 and its alarms, each an hour.
    expect(lines[3]).toMatch(
      /^ {2}at most 10 containers at once \(containerMaxInstances\): \$0\.16 an hour, \$11[0-9.]* for 30 days/,
    );
  });

  it('follows the settings: a tenant scope, a shorter sleepAfter and a smaller instance cost less per rare user', () => {
    const basic = costEstimate({ container: container('basic', 10), upstreamUrl: undefined }, measured)[2]!;
    const lite = costEstimate(
      {
        container: container('lite', 10, { MCP_CONTAINER_SCOPE: 'tenant', MCP_CONTAINER_SLEEP_AFTER: '2m' }),
        upstreamUrl: undefined,
      },
      measured,
    )[2]!;
    expect(lite).toMatch(/one tenant \(email domain\)'s use, own container \(lite: .*sleepAfter 2m\)/);
    const firstRate = (line: string) => Number(/\$([0-9.e-]+) at 1 call\/h/.exec(line)![1]);
    expect(firstRate(lite)).toBeLessThan(firstRate(basic) / 5);
  });

  it('has no container and no container request when the stack forwards to an upstream URL', () => {
    const lines = costEstimate({ container: undefined, upstreamUrl: 'https://mcp.example.com/mcp' }, measured);
    expect(lines[1]).toBe('  a million MCP calls: $0.32 (Workers requests $0.30, Workers CPU time $0.020)');
    expect(lines[2]).toBe(
      '  no container: MCP traffic goes to upstreamUrl (https://mcp.example.com/mcp), which you run and pay for elsewhere',
    );
    expect(lines).toHaveLength(3);
  });
});

describe('readMeasuredUsage', () => {
  it('says what to run when the results have no cost table', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'secure-mcp-plan-'));
    try {
      const file = join(folder, 'latest.json');
      await writeFile(file, JSON.stringify({ startedAt: '2026-11-26T00:00:00Z', rows: [] }));
      expect(await readMeasuredUsage(pathToFileURL(file))).toEqual({
        missing: 'bench/results/latest.json has no cost table: run npm run bench (issue 17 and later)',
      });
      expect(await readMeasuredUsage(pathToFileURL(join(folder, 'absent.json')))).toEqual({
        missing: 'there is no bench/results/latest.json: run npm run bench',
      });
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });
});
