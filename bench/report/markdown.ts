import type { EchoRow } from '../measure/echo-row.ts';
import type { BenchResults } from './results.ts';
import { checkTargets } from './targets.ts';

/**
 * Renders a markdown table: a header row, a separator (numeric columns right-aligned) and
 * one line per row; `|` inside a cell is escaped so a label can never break the table. Pure.
 *
 * @example
 * ```ts
 * markdownTable(['path', 'median'], [['direct', '0.19']], [false, true]);
 * // '| path | median |\n| --- | ---: |\n| direct | 0.19 |'
 * ```
 */
export function markdownTable(header: string[], rows: string[][], numeric: boolean[] = []): string {
  const cell = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', ' ');
  const line = (cells: string[]) => `| ${cells.map(cell).join(' | ')} |`;
  for (const row of rows) {
    if (row.length !== header.length) throw new Error(`a row has ${row.length} cells, the header ${header.length}`);
  }
  const separator = `| ${header.map((_, i) => (numeric[i] ? '---:' : '---')).join(' | ')} |`;
  return [line(header), separator, ...rows.map(line)].join('\n');
}

/** `x` as a multiple of `floor`, e.g. `12.3×`. */
function ratio(value: number, floor: number): string {
  return `${(value / floor).toFixed(value / floor >= 10 ? 0 : 1)}×`;
}

const ms = (value: number) => value.toFixed(2);

/**
 * The latency and throughput table of the echo rows, with each row's ratio to the floor
 * (the first row: direct stdio). Rows that could not run say why. Pure.
 */
export function echoTable(rows: EchoRow[], concurrencyLevels: readonly number[]): string {
  const floor = rows.find((row) => row.status === 'measured');
  const header = [
    'path',
    'median ms',
    'p90 ms',
    'p99 ms',
    '× floor (median)',
    ...concurrencyLevels.map((n) => `calls/s @${n}`),
    'errors',
  ];
  const body = rows.map((row) => {
    if (row.status !== 'measured') return [row.label, `${row.status}: ${row.reason}`, ...header.slice(2).map(() => '')];
    const byLevel = new Map(row.throughput.map((result) => [result.concurrency, result]));
    const errors = row.throughput.reduce((sum, result) => sum + result.errors, 0);
    return [
      row.label,
      ms(row.latency.median),
      ms(row.latency.p90),
      ms(row.latency.p99),
      floor && floor.status === 'measured' ? ratio(row.latency.median, floor.latency.median) : '',
      ...concurrencyLevels.map((n) => (byLevel.has(n) ? String(Math.round(byLevel.get(n)!.callsPerSecond)) : '')),
      String(errors),
    ];
  });
  return markdownTable(
    header,
    body,
    header.map((_, i) => i > 0),
  );
}

/** The whole `latest.md`: the table, the other figures, the targets, the method and the machine. Pure. */
export function resultsMarkdown(results: BenchResults): string {
  const { machine, method } = results;
  const lines = [
    '# secure-mcp benchmark: latest run',
    '',
    `${results.startedAt}, ${results.durationSeconds.toFixed(0)} s. ${machine.cpuModel}, ${machine.cores} cores, ${machine.memoryGiB} GiB, Linux ${machine.kernel}, Node ${machine.node}; load average ${machine.loadAverageAtStart} at the start (a shared machine: read figures as a snapshot).`,
    '',
    `## echo of server-everything, by path`,
    '',
    `${method.warmUpCalls} warm-up then ${method.timedCalls} timed sequential calls on one session (${method.percentiles}); throughput: N clients, each on its own session, calling in a loop for ${method.throughputSecondsPerLevel} s per level. Client: ${method.client}.`,
    '',
    echoTable(results.rows, method.concurrencyLevels),
    '',
    '![latency by path and throughput by concurrency](latest.svg)',
    '',
    '## Other figures',
    '',
    markdownTable(['what', 'figure'], otherFigures(results)),
    '',
    '## Targets of issue 7',
    '',
    markdownTable(
      ['target', 'this run', 'met'],
      checkTargets(results).map((check) => [check.target, check.figure, check.met]),
    ),
    '',
    '## Reference figures (quoted from issue 7, measured earlier on this machine, not by this run)',
    '',
    markdownTable(
      ['path', 'median ms', 'p99 ms', 'calls/s @32', 'bundle gzip KiB'],
      [
        [
          "Cloudflare's Access template (OAuthProvider + McpAgent, `add`, wrangler dev)",
          '13.9–14.5',
          '29',
          '162–165',
          '443',
        ],
        ['supergateway bridging server-everything', '3.1–3.5', '', '730–820', ''],
        ['direct stdio', '0.15–0.32', '', '', ''],
      ],
      [false, true, true, true, true],
    ),
    '',
    '## Notes',
    '',
    ...results.notes.map((note) => `- ${note}`),
    '',
    `Versions: ${Object.entries(machine.versions)
      .map(([name, version]) => `${name} ${version}`)
      .join(', ')}.`,
    '',
  ];
  return lines.join('\n');
}

function otherFigures(results: BenchResults): string[][] {
  const rows: string[][] = [];
  if (results.bundles.status === 'measured') {
    for (const size of results.bundles.sizes)
      rows.push([`bundle: ${size.label}`, `${size.rawKiB} KiB raw, ${size.gzipKiB} KiB gzipped`]);
  } else rows.push(['Worker bundle', notMeasured(results.bundles)]);
  const { coldStart, policyList, bridgeMemory } = results;
  rows.push([
    'cold start of the local stack to ready',
    coldStart.status === 'measured' ? `${coldStart.seconds.toFixed(1)} s (${coldStart.what})` : notMeasured(coldStart),
  ]);
  rows.push([
    'tools/list under a policy',
    policyList.status === 'measured'
      ? `${policyList.tools} tools, ${policyList.rules} rules: median ${ms(policyList.latency.median)} ms, p90 ${ms(policyList.latency.p90)} ms, p99 ${ms(policyList.latency.p99)} ms (without the gate: median ${ms(policyList.withoutGate.median)} ms); ${policyList.where}`
      : notMeasured(policyList),
  ]);
  const { containers } = results;
  rows.push([
    'real containers: stack ready (images made)',
    containers.status === 'measured' ? `${containers.readySeconds.toFixed(1)} s` : notMeasured(containers),
  ]);
  if (containers.status === 'measured') {
    const { coldStart: userStart, restart, memory } = containers;
    rows.push([
      "real containers: cold start of a new user's container",
      `median ${userStart.latency.median.toFixed(0)} ms, max ${userStart.latency.max.toFixed(0)} ms over ${userStart.samples} starts (${userStart.what})`,
    ]);
    rows.push([
      "real containers: cold start of a returning user's container",
      `median ${restart.latency.median.toFixed(0)} ms, max ${restart.latency.max.toFixed(0)} ms over ${restart.samples} starts (${restart.what})`,
    ]);
    rows.push([
      'real containers: resident memory per user',
      `${memory.appMiB} MiB in the container (${memory.processes}) + ${memory.sidecarMiB} MiB for the local sidecar stand-in`,
    ]);
  }
  rows.push([
    'bridge memory per child',
    bridgeMemory.status === 'measured'
      ? `${bridgeMemory.perChildPeakMiB} MiB at peak per session (stdio child ${bridgeMemory.childPeakMiB} MiB + the bridge's growth); bridge ${bridgeMemory.idleMiB} MiB idle, ${bridgeMemory.peakMiB} MiB peak with ${bridgeMemory.sessions} sessions`
      : notMeasured(bridgeMemory),
  ]);
  return rows;
}

function notMeasured(item: { status: string; reason?: string }): string {
  return `${item.status}: ${item.reason ?? ''}`;
}
