/**
 * Which figures of the Cloudflare template our targets are compared with: this run's own template
 * row when there is one, else the quoted ones, and a sentence saying which.
 */
import type { EchoRow } from '../measure/echo-row.ts';
import { REFERENCE_FIGURES } from './results.ts';

/** The Cloudflare template's figures the targets of issue 7 compare with, and where they come from. */
export interface TemplateBaseline {
  median: number;
  callsPerSecondAt32: number;
  /** `live`: this run's template row; `reference`: the quoted figures (the row was not measured). */
  source: 'live' | 'reference';
  /** Says where the figures come from, for the targets' figure text. */
  describe: string;
}

/**
 * The template's figures from this run's live row (id `template`) when it was measured, so the
 * targets compare rows of the same run; otherwise the reference figures (measured
 * earlier on this machine, whose speed varies about 2× between runs). Pure.
 *
 * @example
 * ```ts
 * const baseline = templateBaseline(results.rows);
 * console.log(baseline.median, baseline.describe); // 14.2 "the template's 14.20 ms median, measured live in this run"
 * ```
 */
export function templateBaseline(rows: readonly EchoRow[]): TemplateBaseline {
  const live = rows.find((row) => row.id === 'template' && row.status === 'measured');
  const liveAt32 =
    live?.status === 'measured'
      ? live.throughput.find((result) => result.concurrency === 32)?.callsPerSecond
      : undefined;
  if (live?.status === 'measured' && liveAt32 !== undefined) {
    return {
      median: live.latency.median,
      callsPerSecondAt32: liveAt32,
      source: 'live',
      describe: 'measured live in this run',
    };
  }
  const reference = REFERENCE_FIGURES.cloudflareTemplate;
  return {
    median: reference.median,
    callsPerSecondAt32: reference.callsPerSecondAt32,
    source: 'reference',
    describe: "the issue's reference figure, as the template row was not measured",
  };
}
