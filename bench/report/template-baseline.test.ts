import { describe, expect, it } from 'vitest';
import type { EchoRow } from '../measure/echo-row.ts';
import { REFERENCE_FIGURES } from './results.ts';
import { templateBaseline } from './template-baseline.ts';

const templateRow = (median: number, at32: number): EchoRow => ({
  id: 'template',
  label: 'template',
  status: 'measured',
  latency: { count: 200, median, p90: median, p99: median, min: median, max: median },
  throughput: [{ concurrency: 32, callsPerSecond: at32, calls: 1, errors: 0, seconds: 4 }],
});

describe('templateBaseline', () => {
  it("uses this run's template row when it was measured", () => {
    expect(templateBaseline([templateRow(30, 80)])).toMatchObject({
      median: 30,
      callsPerSecondAt32: 80,
      source: 'live',
    });
  });

  it("falls back to the issue's reference figures, and says so, when the row was not measured", () => {
    const baseline = templateBaseline([
      { id: 'template', label: 'template', status: 'not available', reason: 'wrangler failed' },
    ]);
    expect(baseline).toMatchObject({
      median: REFERENCE_FIGURES.cloudflareTemplate.median,
      callsPerSecondAt32: REFERENCE_FIGURES.cloudflareTemplate.callsPerSecondAt32,
      source: 'reference',
    });
    expect(baseline.describe).toMatch(/reference figure/);
  });

  it('falls back when the row has no throughput at 32 clients', () => {
    const row = { ...templateRow(30, 80), throughput: [] } as EchoRow;
    expect(templateBaseline([row]).source).toBe('reference');
  });
});
