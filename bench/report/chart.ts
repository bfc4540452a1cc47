/**
 * The results chart, drawn from the same rows as the tables so the picture and the numbers never
 * disagree: latency by path beside throughput by concurrency.
 */
import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { EchoRow } from '../measure/echo-row.ts';

/**
 * The vega-lite spec of the results chart: median and p99 latency by path as points (log scale, as the
 * paths differ by orders of magnitude) next to throughput by concurrency, one line per path.
 * Only measured rows appear. Pure.
 *
 * @example
 * ```ts
 * const spec = chartSpec(results.rows);
 * ```
 */
function chartSpec(rows: readonly EchoRow[]): TopLevelSpec {
  const measured = rows.filter((row) => row.status === 'measured');
  const latency = measured.flatMap((row) => [
    { path: row.label, statistic: 'median', ms: row.latency.median },
    { path: row.label, statistic: 'p99', ms: row.latency.p99 },
  ]);
  const throughput = measured.flatMap((row) =>
    row.throughput.map((result) => ({
      path: row.label,
      concurrency: result.concurrency,
      callsPerSecond: result.callsPerSecond,
    })),
  );
  const order = measured.map((row) => row.label);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    config: { font: 'sans-serif', view: { stroke: null }, legend: { labelLimit: 0 }, axis: { labelLimit: 0 } },
    hconcat: [
      {
        title: 'echo latency by path (ms, log scale)',
        data: { values: latency },
        // Points, not bars: a bar on a log scale has no zero to start from. Labels unlimited: without a
        // canvas, vega estimates text widths and would cut labels short.
        mark: { type: 'point', filled: true, size: 90 },
        width: 320,
        height: 220,
        encoding: {
          y: { field: 'path', type: 'nominal', sort: order, title: null, axis: { labelLimit: 0 } },
          x: { field: 'ms', type: 'quantitative', scale: { type: 'log' }, title: 'ms (log scale)' },
          color: { field: 'statistic', type: 'nominal', title: 'statistic', scale: { range: ['#4c78a8', '#f58518'] } },
        },
      },
      {
        title: 'throughput by concurrency (calls/s)',
        data: { values: throughput },
        mark: { type: 'line', point: true },
        width: 320,
        height: 220,
        encoding: {
          x: { field: 'concurrency', type: 'ordinal', title: 'concurrent clients', axis: { labelAngle: 0 } },
          y: { field: 'callsPerSecond', type: 'quantitative', scale: { type: 'log' }, title: 'calls/s (log scale)' },
          color: { field: 'path', type: 'nominal', sort: order, title: 'path', legend: { labelLimit: 0 } },
        },
      },
    ],
    resolve: { scale: { color: 'independent' } },
  };
}

/**
 * Renders the chart to SVG headlessly with vega (no canvas needed for SVG).
 *
 * @example
 * ```ts
 * await writeFile('bench/results/latest.svg', await renderChartSvg(results.rows));
 * ```
 */
export async function renderChartSvg(rows: readonly EchoRow[]): Promise<string> {
  const view = new View(parse(compile(chartSpec(rows)).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
