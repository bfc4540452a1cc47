import { describe, expect, it } from 'vitest';
import { CLOUDFLARE_PRICES, INSTANCE_SIZES, MODEL_INPUTS } from './cloudflare-prices.ts';
import {
  containerAwakeSeconds,
  containerUserHour,
  costOfCalls,
  durationSeconds,
  logBytesPerCall,
  type CallUsage,
} from './cost-model.ts';

const nothing: CallUsage = {
  workerRequests: 0,
  workerCpuMs: 0,
  kvReads: 0,
  kvWrites: 0,
  durableObjectRequests: 0,
  durableObjectActiveSeconds: 0,
  durableObjectRowsWritten: 0,
  logBytes: 0,
};

const line = (cost: ReturnType<typeof costOfCalls>, item: string) =>
  cost.lines.find((candidate) => candidate.item === item)?.usd;

describe('costOfCalls', () => {
  it("agrees with the Workers pricing page's first example once its subscription and included usage are put back", () => {
    // 15 million requests at 7 ms of CPU: $8.00 on the page = $5 plan + requests and CPU beyond 10 M requests and 30 M CPU ms.
    const cost = costOfCalls({ ...nothing, workerRequests: 1, workerCpuMs: 7 }, 15e6);
    const included = 10e6 * CLOUDFLARE_PRICES.workerRequest.usd + 30e6 * CLOUDFLARE_PRICES.workerCpuMs.usd;
    expect(cost.usd - included + 5).toBeCloseTo(8, 10);
  });

  it('prices each unit at its list price and leaves out what a path does not use', () => {
    const cost = costOfCalls(
      { ...nothing, kvReads: 1, durableObjectRequests: 3, durableObjectActiveSeconds: 0.001, logBytes: 2_000 },
      1e6,
    );
    expect(line(cost, 'KV reads')).toBeCloseTo(0.5, 10);
    expect(line(cost, 'Durable Object requests')).toBeCloseTo(0.45, 10);
    // 1 ms at 128 MB, a million times: 128 GB-s.
    expect(line(cost, 'Durable Object duration')).toBeCloseTo(128 * 12.5e-6, 12);
    // 2 GB: ingested at $0.25 and kept seven days at $0.10 a GB-month.
    expect(line(cost, 'Workers Logs')).toBeCloseTo(2 * (0.25 + 0.1 * (7 / 30)), 10);
    expect(line(cost, 'Workers requests')).toBeUndefined();
    expect(cost.usd).toBeCloseTo(
      cost.lines.reduce((sum, item) => sum + item.usd, 0),
      12,
    );
  });
});

describe('logBytesPerCall', () => {
  it("adds the assumed attributes to every invocation and console event, on top of the messages' own bytes", () => {
    const attributes = MODEL_INPUTS.logEventAttributeBytes.value;
    expect(logBytesPerCall({ invocations: 2, consoleLines: 1, consoleBytes: 550 })).toBe(550 + 3 * attributes);
  });
});

describe('containerAwakeSeconds', () => {
  it('keeps the container awake all hour when calls come more often than sleepAfter', () => {
    expect(containerAwakeSeconds(60, 900, 2)).toBe(3600);
    expect(containerAwakeSeconds(4, 900, 2)).toBe(3600);
  });

  it('wakes it per call, for a start and sleepAfter of waiting, when calls are rarer', () => {
    expect(containerAwakeSeconds(1, 900, 2)).toBe(902);
    expect(containerAwakeSeconds(2, 600, 5)).toBe(1210);
    expect(containerAwakeSeconds(0, 900, 2)).toBe(0);
  });
});

describe('containerUserHour', () => {
  it("bills an awake hour of a basic container's memory and disk, its CPU per call, and its Durable Object kept active", () => {
    const plan = {
      instance: INSTANCE_SIZES.basic,
      sleepAfterSeconds: 900,
      startSeconds: 2,
      vcpuSecondsPerCall: 0.001,
      idleVcpu: 0,
    };
    const cost = containerUserHour(600, { ...nothing, workerRequests: 1 }, plan);
    expect(line(cost, 'container memory')).toBeCloseTo(3600 * 1 * 0.0000025, 12);
    expect(line(cost, 'container disk')).toBeCloseTo(3600 * 4 * 0.00000007, 12);
    expect(line(cost, 'container CPU')).toBeCloseTo(600 * 0.001 * 0.00002, 12);
    expect(line(cost, "container's Durable Object duration")).toBeCloseTo(3600 * 0.128 * 12.5e-6, 12);
    expect(line(cost, 'calls: Workers requests')).toBeCloseTo(600 * 0.3e-6, 12);
    // An alarm every three minutes: 20 an hour, each a request and two rows written.
    expect(line(cost, "container's Durable Object alarms")).toBeCloseTo(20 * (0.15e-6 + 2 * 1e-6), 12);
  });
});

describe('durationSeconds', () => {
  it('reads the sleepAfter forms the stack config accepts, and refuses others', () => {
    expect(durationSeconds('30s')).toBe(30);
    expect(durationSeconds('15m')).toBe(900);
    expect(durationSeconds('2h')).toBe(7200);
    expect(() => durationSeconds('15 minutes')).toThrow('not a duration like 30s, 15m or 2h: "15 minutes"');
  });
});
