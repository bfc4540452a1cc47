/**
 * `bench/results/latest.md`, written from the results of one `npm run bench`: the table of paths,
 * the other figures, the CPU per call and the cost, the targets with what stands in the way, the
 * method and the machine. Pure text from data, so a test can check what a reader sees.
 */
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
    '## Production-like paths side by side',
    '',
    ...pairedSection(results),
    '',
    '## CPU per call and operations counted per call (production-like rows)',
    '',
    ...accountingSection(results),
    '',
    '## What calls cost on Cloudflare',
    '',
    ...costSection(results),
    '',
    '## Targets (issues 7 and 17)',
    '',
    markdownTable(
      ['target', 'this run', 'met', 'what stands in the way'],
      checkTargets(results).map((check) => [check.target, check.figure, check.met, check.note ?? '']),
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

const usd = (value: number) => (value >= 0.1 ? `$${value.toFixed(2)}` : `$${value.toPrecision(2)}`);
const count = (value: number) => (Number.isInteger(value) ? String(value) : value.toFixed(3));

/** The accounting passes: each isolate's CPU per call and where it goes, and the operations counted per call. Pure. */
function accountingSection(results: BenchResults): string[] {
  if (results.accounting.status !== 'measured') return [notMeasured(results.accounting)];
  const { paths, container } = results.accounting;
  const first = paths[0]?.accounting;
  const lines = [
    `Each path on an instance of its own (the bundle inside the operation-counting wrapper, an inspector open), ${first?.calls ?? 0} sequential calls after a warm-up: CPU of each isolate from a CPU profile (samples while the isolate is in use × the sampler's period, read from the profile), operations counted by the wrapper, trace events (one per invocation, what Workers Logs ingests less Cloudflare's enrichment) sized as JSON by a tail Worker. Durable Objects run in an isolate of their own, as on Cloudflare.`,
    '',
    markdownTable(
      [
        'path',
        'Worker isolate CPU ms/call',
        'Durable Objects isolate CPU ms/call',
        'KV reads',
        'KV writes',
        'Durable Object requests',
        'log lines (bytes)',
        'trace events (bytes)',
        'subrequests',
      ],
      paths.map((path) => {
        const { worker, objects, operations } = path.accounting;
        return [
          path.label,
          worker.msPerCall.toFixed(3),
          objects.msPerCall.toFixed(3),
          count(operations.kv.get + operations.kv.getWithMetadata),
          count(operations.kv.put + operations.kv.delete + operations.kv.list),
          count(operations.durableObjects.fetch + operations.durableObjects.rpc),
          `${count(operations.logEvents)} (${Math.round(operations.logBytes)})`,
          path.accounting.traces
            ? `${count(path.accounting.traces.eventsPerCall)} (${Math.round(path.accounting.traces.bytesPerCall)})`
            : '',
          count(operations.subrequests),
        ];
      }),
      [false, true, true, true, true, true, true, true, true],
    ),
    '',
    "Where the CPU goes (ms per call, the profile's samples charged to the innermost frame of the bundle on their stack, looked up in its source map):",
    '',
    ...paths.flatMap((path) =>
      (['worker', 'objects'] as const)
        .filter((isolate) => path.accounting[isolate].msPerCall > 0)
        .map(
          (isolate) =>
            `- ${path.label}, ${isolate === 'worker' ? "the Worker's isolate" : "the Durable Objects' isolate"}: ${path.accounting[
              isolate
            ].parts
              .filter((part) => part.msPerCall >= 0.005)
              .map((part) => `${part.part} ${part.msPerCall.toFixed(3)}`)
              .join(', ')}.`,
        ),
    ),
  ];
  if (container)
    lines.push(
      '',
      `The container's processes (bridge and stdio server): ${(container.vcpuSecondsPerCall * 1000).toFixed(3)} ms of CPU per call, ${(container.idleVcpu * 100).toFixed(2)} % of a vCPU while idle (${container.what}).`,
    );
  return lines;
}

/** The cost of a million calls per path and an hour of one person's use. Pure. */
function costSection(results: BenchResults): string[] {
  const { cost } = results;
  if (cost.status !== 'measured') return [notMeasured(cost)];
  const items = [...new Set(cost.paths.flatMap((path) => path.perMillionCalls.lines.map((line) => line.item)))];
  const lines = [
    `Usage per call (above) × Cloudflare's list prices read on ${cost.pricesReadOn} (marginal: the Workers Paid plan's $5 a month and its included amounts are left out). A million calls:`,
    '',
    markdownTable(
      ['path', ...items, 'total'],
      cost.paths.map((path) => [
        path.label,
        ...items.map((item) => {
          const line = path.perMillionCalls.lines.find((candidate) => candidate.item === item);
          return line ? usd(line.usd) : '';
        }),
        usd(path.perMillionCalls.usd),
      ]),
      [false, ...items.map(() => true), true],
    ),
    '',
    ...cost.paths.flatMap((path) => path.notes.map((note) => `- ${path.label}: ${note}.`)),
  ];
  if (cost.userHours) {
    const { plan, rows } = cost.userHours;
    lines.push(
      '',
      `One person's hour of use, calls evenly spaced: through their own container (instance \`${plan.instanceType}\`, \`sleepAfter\` ${plan.sleepAfterSeconds / 60} min, container CPU ${(plan.vcpuSecondsPerCall * 1000).toFixed(2)} ms per call as measured), and through the template shape (no container):`,
      '',
      markdownTable(
        ['calls per hour', 'container awake (s)', 'own container', 'template shape', 'ratio'],
        rows.map((row) => [
          String(row.callsPerHour),
          String(Math.round(row.containerAwakeSeconds)),
          usd(row.ownContainer.usd),
          usd(row.template.usd),
          `${(row.ownContainer.usd / row.template.usd).toFixed(0)}×`,
        ]),
        [true, true, true, true, true],
      ),
    );
  }
  lines.push(
    '',
    `Cloudflare's list prices as read on ${cost.pricesReadOn}:`,
    '',
    markdownTable(
      ['unit', 'USD', 'page', 'source'],
      Object.values(cost.prices).map((price) => [price.per, String(price.usdPerUnit), price.page, price.source]),
      [false, true, false, false],
    ),
    '',
    'Inputs of the model that Cloudflare does not publish:',
    '',
    markdownTable(
      ['input', 'value', 'why'],
      Object.entries(cost.inputs).map(([name, input]) => [name, String(input.value), input.why]),
      [false, true, false],
    ),
  );
  return lines;
}

/** The production-like paths' latency measured in turns. Pure. */
function pairedSection(results: BenchResults): string[] {
  const { paired } = results;
  if (!paired || paired.status !== 'measured') return [paired ? notMeasured(paired) : 'not measured'];
  const label = (id: string) => results.rows.find((row) => row.id === id)?.label ?? id;
  return [
    `The rows above are measured minutes apart; on this shared machine their medians moved by up to 2× between runs. Here the same instances, ${paired.what}, so that a burst of other work lands on every path alike (the production-like targets read these):`,
    '',
    markdownTable(
      ['path', 'median ms', 'p90 ms', 'p99 ms', 'calls'],
      Object.entries(paired.latency).map(([id, latency]) => [
        label(id),
        ms(latency.median),
        ms(latency.p90),
        ms(latency.p99),
        String(latency.count),
      ]),
      [false, true, true, true, true],
    ),
  ];
}
