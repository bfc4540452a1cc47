/**
 * The figures README.md and bench/README.md quote, written from the results files by code rather
 * than by hand, so the prose cannot drift from the last run: each document holds them between
 * `<!-- figures:NAME -->` and `<!-- /figures:NAME -->`, and `npm run bench:figures` rewrites those
 * blocks from bench/results/ (`latest.json` of `npm run bench`, `hot-path.json` of
 * `npm run bench:profile`, `load-latest.json` of `npm run load`). A test fails when a block differs
 * from what the committed results give.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { LoadReport } from '../load/summary.ts';
import type { BenchResults } from './results.ts';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The part of `hot-path.json` (`npm run bench:profile`) the documents quote. */
interface HotPathResults {
  measuredAt: string;
  stages: Array<{ stage: string; latency: { median: number }; cpu: Array<{ name: string; msPerCall: number }> }>;
  cpuAt32Clients: Array<{
    row: string;
    callsPerSecond: number;
    shares: Array<{ name: string; msPerCall: number; cores: number }>;
  }>;
}

/** The three results files, as read from bench/results/. */
export interface FigureSources {
  bench: BenchResults;
  hotPath: HotPathResults;
  load: LoadReport;
}

/** Milliseconds as the documents write them: two decimals below 2 ms, one above. */
const ms = (value: number) => value.toFixed(value < 2 ? 2 : 1);
const whole = (value: number) => Math.round(value).toLocaleString('en-US');
const mib = (value: number) => value.toFixed(1);
const day = (iso: string) => iso.slice(0, 10);

function row(sources: FigureSources, id: string) {
  const found = sources.bench.rows.find((candidate) => candidate.id === id);
  if (found?.status !== 'measured') throw new Error(`bench/results/latest.json has no measured row "${id}"`);
  return found;
}

function callsPerSecondAt(sources: FigureSources, id: string, concurrency: number): number {
  const level = row(sources, id).throughput.find((candidate) => candidate.concurrency === concurrency);
  if (!level) throw new Error(`bench/results/latest.json: row "${id}" has no throughput at ${concurrency} clients`);
  return level.callsPerSecond;
}

function stage(sources: FigureSources, prefix: string) {
  const found = sources.hotPath.stages.find((candidate) => candidate.stage.startsWith(prefix));
  if (!found) throw new Error(`bench/results/hot-path.json has no stage "${prefix}…"`);
  return found;
}

const cpuOf = (shares: ReadonlyArray<{ msPerCall: number }>) => shares.reduce((sum, share) => sum + share.msPerCall, 0);

function gzipKiB(sources: FigureSources, kind: string): number {
  if (sources.bench.bundles.status !== 'measured') throw new Error('bench/results/latest.json has no bundle sizes');
  const size = sources.bench.bundles.sizes.find((candidate) => candidate.kind === kind);
  if (!size) throw new Error(`bench/results/latest.json has no bundle "${kind}"`);
  return size.gzipKiB;
}

/** README.md: the headline figures of the last `npm run bench` and the `wrangler dev` floor. */
function readme(sources: FigureSources): string {
  const floor = stage(sources, '0.').latency.median;
  return (
    `On this 2-core machine (\`npm run bench\` of ${day(sources.bench.startedAt)}): ` +
    `direct stdio ${ms(row(sources, 'direct-stdio').latency.median)} ms median, ` +
    `our bridge ${ms(row(sources, 'bridge').latency.median)} ms (supergateway ${ms(row(sources, 'supergateway').latency.median)} ms), ` +
    `the whole local stack through \`wrangler dev\` ${ms(row(sources, 'local-stack').latency.median)} ms and ` +
    `${whole(callsPerSecondAt(sources, 'local-stack', 32))} calls/s at 32 clients, ` +
    `a native tool ${ms(row(sources, 'native').latency.median)} ms, ` +
    `the template shape ${ms(row(sources, 'template').latency.median)} ms and ${whole(callsPerSecondAt(sources, 'template', 32))} calls/s; ` +
    `the Worker bundle is ${whole(gzipKiB(sources, 'proxy-only'))} KiB gzipped without native tools and ` +
    `${whole(gzipKiB(sources, 'with-native-tools'))} KiB with them, against ${whole(gzipKiB(sources, 'template-shape'))} KiB for the template shape. ` +
    `\`wrangler dev\` alone costs any Worker ${ms(floor)} ms per request.`
  );
}

/** bench/README.md: the stage table of `npm run bench:profile` and what it says. */
function hotPathStages(sources: FigureSources): string {
  const columns = [
    'workerd: the Worker',
    "workerd: wrangler's proxy",
    'bridge (Node)',
    'stdio servers (server-everything)',
  ];
  const cell = (cpu: ReadonlyArray<{ name: string; msPerCall: number }>, name: string) => {
    const share = cpu.find((candidate) => candidate.name === name);
    return share ? share.msPerCall.toFixed(2) : '';
  };
  const lines = [
    `Stages measured by \`npm run bench:profile\` on ${day(sources.hotPath.measuredAt)}:`,
    '',
    "| stage | median ms | CPU ms/request: the Worker's workerd | wrangler's proxy | bridge | stdio server |",
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...sources.hotPath.stages.map(
      ({ stage: name, latency, cpu }) =>
        `| ${name.replaceAll('tools/call', '`tools/call`').replace('wrangler dev', '`wrangler dev`')} | ${latency.median.toFixed(2)} | ${columns.map((column) => cell(cpu, column)).join(' | ')} |`,
    ),
  ];
  const floor = stage(sources, '0.');
  const gate = stage(sources, '3.').latency.median;
  const forward = stage(sources, '4.').latency.median;
  const template = row(sources, 'template').latency.median;
  lines.push(
    '',
    `\`wrangler dev\` costs any Worker ${floor.latency.median.toFixed(2)} ms and ${cpuOf(floor.cpu).toFixed(2)} ms of CPU per request ` +
      "before the Worker's code runs (its proxy Worker in a second `workerd`, then the Worker's own `workerd`). " +
      `Above that floor our Worker adds ${(gate - floor.latency.median).toFixed(2)} ms for sign-in and the gate and ` +
      `${(forward - gate).toFixed(2)} ms for the forward (the bridge's own included), ${(forward - floor.latency.median).toFixed(2)} ms in all; ` +
      `the template shape adds ${(template - floor.latency.median).toFixed(2)} ms (${template.toFixed(2)} ms in \`latest.md\`'s run, less the floor).`,
  );
  return lines.join('\n');
}

/** bench/README.md: where the CPU goes at 32 clients. */
function hotPathCpu(sources: FigureSources): string {
  return sources.hotPath.cpuAt32Clients
    .map(({ row: name, callsPerSecond, shares }) => {
      const parts = shares
        .filter((share) => share.msPerCall >= 0.05)
        .map((share) => `${share.name} ${share.msPerCall.toFixed(2)} (${share.cores.toFixed(2)} of a core)`);
      return `- ${name}: ${cpuOf(shares).toFixed(2)} ms of CPU per call at ${whole(callsPerSecond)} calls/s, of which ${parts.join(', ')}.`;
    })
    .join('\n');
}

/** bench/README.md: the last default `npm run load`. */
function load(sources: FigureSources): string {
  const { load: report } = sources;
  const outside = report.bridgeMemory.outsideHeap;
  const resident = report.workerdResident;
  return [
    `The last \`npm run load\` (\`bench/results/load-latest.json\`): ${report.clients} clients for ${report.durationSeconds} s, ` +
      `${whole(report.calls)} calls, ${report.errors} errors, ${whole(report.callsPerSecond)} calls/s.`,
    `- The Worker's isolate: used heap after a full collection ${mib(report.isolateHeap.afterWarmUpMiB)} MiB after the warm-up, ` +
      `${mib(report.isolateHeap.atEndMiB)} MiB at the end (bound: ${report.isolateHeap.boundMiB} MiB of growth).`,
    `- \`workerd\`'s resident memory: ${whole(resident.baselineMiB)} → ${whole(resident.settledMiB)} MiB, ` +
      `${resident.kibPerCall.toFixed(1)} KiB per call after the warm-up, against the bare Worker's ` +
      `${resident.control.kibPerRequest.toFixed(1)} KiB per request at the same point (bound: ${resident.boundKiBPerCall.toFixed(1)} KiB).`,
    `- The bridge host: used heap ${mib(report.bridgeHeap.afterWarmUpMiB)} MiB after the warm-up, ${mib(report.bridgeHeap.atEndMiB)} MiB at the end; ` +
      `memory outside its V8 heap ${mib(outside.fromMiB)} → ${mib(outside.toMiB)} MiB (${outside.mibPer1000Calls.toFixed(2)} MiB per 1,000 calls; bound ${outside.boundMiBPer1000Calls}).`,
    `- Audit: ${whole(report.audit?.records ?? 0)} records for ${whole(report.calls)} calls, ` +
      `${report.audit?.missing ?? 'all'} missing, ${report.audit?.duplicated ?? 0} duplicated.`,
  ].join('\n');
}

/** Every generated block, by document and name. */
const BLOCKS = {
  'README.md': { readme },
  'bench/README.md': { 'hot-path-stages': hotPathStages, 'hot-path-cpu': hotPathCpu, load },
} as const;

/** Reads the three results files of bench/results/. */
export async function readFigureSources(root = repoRoot): Promise<FigureSources> {
  const read = async (name: string): Promise<unknown> =>
    JSON.parse(await readFile(join(root, 'bench', 'results', name), 'utf8'));
  return {
    bench: (await read('latest.json')) as BenchResults,
    hotPath: (await read('hot-path.json')) as HotPathResults,
    load: (await read('load-latest.json')) as LoadReport,
  };
}

/**
 * `text` with each of its figure blocks rewritten from `sources`; throws when a block the
 * document should hold is missing.
 *
 * @example
 * ```ts
 * const updated = withFigures('bench/README.md', await readFile('bench/README.md', 'utf8'), await readFigureSources());
 * ```
 */
export function withFigures(document: keyof typeof BLOCKS, text: string, sources: FigureSources): string {
  let result = text;
  for (const [name, render] of Object.entries(BLOCKS[document]) as Array<[string, (s: FigureSources) => string]>) {
    const open = `<!-- figures:${name} -->`;
    const close = `<!-- /figures:${name} -->`;
    const start = result.indexOf(open);
    const end = result.indexOf(close);
    if (start < 0 || end < start) throw new Error(`${document} has no ${open} … ${close} block`);
    result = `${result.slice(0, start + open.length)}\n${render(sources)}\n${result.slice(end)}`;
  }
  return result;
}

/** The documents that hold figure blocks. */
export const FIGURE_DOCUMENTS = Object.keys(BLOCKS) as Array<keyof typeof BLOCKS>;

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const sources = await readFigureSources();
  for (const document of FIGURE_DOCUMENTS) {
    const path = join(repoRoot, document);
    const text = await readFile(path, 'utf8');
    const updated = withFigures(document, text, sources);
    if (updated !== text) await writeFile(path, updated);
    console.log(`${document}: ${updated === text ? 'figures unchanged' : 'figures rewritten from bench/results/'}`);
  }
}
