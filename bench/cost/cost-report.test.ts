import { describe, expect, it } from 'vitest';
import type { WorkerAccounting } from '../measure/worker-accounting.ts';
import { MODEL_INPUTS } from './cloudflare-prices.ts';
import { callUsage, costReport, USER_HOUR_RATES, type AccountedPath } from './cost-report.ts';

function accounting(
  workerMs: number,
  objectsMs: number,
  operations: Partial<WorkerAccounting['operations']> = {},
): WorkerAccounting {
  const cpu = (msPerCall: number) => ({
    calls: 1000,
    samples: 1,
    samplePeriodUs: 250,
    msPerCall,
    inUseMsPerCall: msPerCall,
    parts: [],
  });
  return {
    calls: 1000,
    worker: cpu(workerMs),
    objects: cpu(objectsMs),
    operations: {
      requests: 1,
      kv: { get: 0, getWithMetadata: 0, put: 0, delete: 0, list: 0 },
      durableObjects: { fetch: 0, rpc: 0 },
      subrequests: 0,
      logEvents: 0,
      logBytes: 0,
      ...operations,
    },
  };
}

const ours: AccountedPath = {
  id: 'local-stack-workerd',
  label: 'whole stack',
  accounting: accounting(0.6, 0, { logEvents: 1, logBytes: 550, subrequests: 1 }),
  modelledDurableObjectRequests: { perCall: 1, why: 'through the container' },
};
const template: AccountedPath = {
  id: 'template-workerd',
  label: 'template',
  accounting: accounting(1, 0.9, {
    kv: { get: 1, getWithMetadata: 0, put: 0, delete: 0, list: 0 },
    durableObjects: { fetch: 1, rpc: 2 },
  }),
  durableObjectActivePerCall: true,
};

describe('callUsage', () => {
  it("turns counts and profiles into Cloudflare's units, adding the Durable Object request of the container's forward", () => {
    const attributes = MODEL_INPUTS.logEventAttributeBytes.value;
    expect(callUsage(ours)).toEqual({
      workerRequests: 1,
      workerCpuMs: 0.6,
      kvReads: 0,
      kvWrites: 0,
      durableObjectRequests: 1,
      durableObjectActiveSeconds: 0,
      durableObjectRowsWritten: 0,
      // The Worker's and the Durable Object's invocation events, and the audit line.
      logBytes: 550 + 3 * attributes,
    });
  });

  it("bills the template's per-session Durable Object for its isolate's busy time per call", () => {
    const usage = callUsage(template);
    expect(usage.durableObjectRequests).toBe(3);
    expect(usage.durableObjectActiveSeconds).toBeCloseTo(0.0009, 12);
    expect(usage.kvReads).toBe(1);
  });
});

describe('callUsage with measured trace events', () => {
  it("bills the trace events' measured bytes, the mean size less console lines for the modelled container request, and Cloudflare's enrichment of each", () => {
    const attributes = MODEL_INPUTS.logEventAttributeBytes.value;
    const measured = { ...ours, accounting: { ...ours.accounting, traces: { eventsPerCall: 1, bytesPerCall: 1_200 } } };
    // One measured event of 1,200 bytes (550 of them the audit line), one modelled for the container's
    // Durable Object of the same size without the line, both enriched.
    expect(callUsage(measured).logBytes).toBe(1_200 + 650 + 2 * attributes);
  });
});

describe('costReport', () => {
  const container = { vcpuSecondsPerCall: 0.0007, idleVcpu: 0, what: 'measured' };

  it('prices a million calls per path and an hour of use per call rate, own container beside the template', () => {
    const report = costReport([ours, template], {
      proxiedPath: ours.id,
      templatePath: template.id,
      container,
    });
    expect(report.paths.map((path) => path.id)).toEqual([ours.id, template.id]);
    expect(report.paths[0]!.notes[0]).toMatch(/^1 Durable Object request per call added: through the container/);
    expect(report.userHours!.rows.map((row) => row.callsPerHour)).toEqual([...USER_HOUR_RATES]);
    // With a 15-minute sleepAfter, one call an hour keeps the container up for a start and 15 minutes.
    expect(report.userHours!.rows[0]!.containerAwakeSeconds).toBe(902);
    for (const row of report.userHours!.rows) expect(row.ownContainer.usd).toBeGreaterThan(row.template.usd);
  });

  it('leaves the hour of use out when a path of the comparison was not measured', () => {
    expect(
      costReport([ours], { proxiedPath: ours.id, templatePath: template.id, container }).userHours,
    ).toBeUndefined();
  });
});
