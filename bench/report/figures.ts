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

/** One stage of `npm run bench:profile`. */
interface HotPathStage {
  stage: string;
  latency: { median: number };
  cpu: Array<{ name: string; msPerCall: number }>;
}

/** CPU per call of one isolate and where it goes. */
interface IsolateFigures {
  msPerCall: number;
  parts: Array<{ part: string; msPerCall: number }>;
}

/** The part of `hot-path.json` (`npm run bench:profile`) the documents quote. */
interface HotPathResults {
  measuredAt: string;
  /** Absent in files written before it was recorded. */
  loadAverageAtStart?: number;
  stages: HotPathStage[];
  /** The same stages with the Worker in workerd without wrangler dev. */
  productionStages: HotPathStage[];
  /** Each production-like path's isolates, part by part. */
  isolates: Array<{ id: string; label: string; calls: number; worker: IsolateFigures; objects: IsolateFigures }>;
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
    `\`wrangler dev\` alone costs any Worker ${ms(floor)} ms per request.\n\n` +
    production(sources)
  );
}

/** `; side by side, …`: the production-like medians measured in turns, when the run has them. */
function sidebySide(sources: FigureSources): string {
  const paired = sources.bench.paired;
  if (paired?.status !== 'measured') return '';
  const median = (id: string) => paired.latency[id]?.median;
  const [stack, native, template] = ['local-stack-workerd', 'native-workerd', 'template-workerd'].map(median);
  if (stack === undefined || template === undefined) return '';
  return ` (side by side, in turns: ${ms(stack)} ms${native === undefined ? '' : `, ${ms(native)} ms`} and ${ms(template)} ms)`;
}

/** The cost of a million calls of a path, from the cost table. */
function perMillion(sources: FigureSources, id: string): number {
  const cost = sources.bench.cost;
  const path = cost.status === 'measured' ? cost.paths.find((candidate) => candidate.id === id) : undefined;
  if (!path) throw new Error(`bench/results/latest.json has no cost of path "${id}"`);
  return path.perMillionCalls.usd;
}

function accounted(sources: FigureSources, id: string) {
  const accounting = sources.bench.accounting;
  const path = accounting.status === 'measured' ? accounting.paths.find((candidate) => candidate.id === id) : undefined;
  if (!path) throw new Error(`bench/results/latest.json has no accounting of path "${id}"`);
  return path.accounting;
}

const dollars = (value: number) => (value >= 0.1 ? `$${value.toFixed(2)}` : `$${value.toPrecision(2)}`);

/** README.md and bench/README.md: the production-like rows, the isolates' CPU and the cost, in one paragraph. */
function production(sources: FigureSources): string {
  const ours = accounted(sources, 'local-stack-workerd');
  const native = accounted(sources, 'native-workerd');
  const template = accounted(sources, 'template-workerd');
  const cost = sources.bench.cost;
  const hour =
    cost.status === 'measured' ? cost.userHours?.rows.find((candidate) => candidate.callsPerHour === 60) : undefined;
  if (!hour || cost.status !== 'measured') throw new Error('bench/results/latest.json has no hour of use at 60 calls');
  const plan = cost.userHours!.plan;
  return (
    `As deployed, in workerd without \`wrangler dev\` (production-like rows, same run): the whole stack ${ms(row(sources, 'local-stack-workerd').latency.median)} ms median ` +
    `and ${whole(callsPerSecondAt(sources, 'local-stack-workerd', 32))} calls/s at 32 clients (through a real container ${ms(row(sources, 'container-workerd').latency.median)} ms), a native tool ${ms(row(sources, 'native-workerd').latency.median)} ms, ` +
    `the template shape ${ms(row(sources, 'template-workerd').latency.median)} ms and ${whole(callsPerSecondAt(sources, 'template-workerd', 32))} calls/s` +
    `${sidebySide(sources)}. ` +
    `The Worker's isolate spends ${ours.worker.msPerCall.toFixed(2)} ms of CPU per proxied call and ${native.worker.msPerCall.toFixed(2)} ms per native call ` +
    `(CPU profiles), the template's ${template.worker.msPerCall.toFixed(2)} ms in its Worker and ${template.objects.msPerCall.toFixed(2)} ms in its Durable Object. ` +
    `At Cloudflare's list prices (read ${cost.pricesReadOn}) a million proxied calls cost ${dollars(perMillion(sources, 'local-stack-workerd'))} without the containers, ` +
    `a million native calls ${dollars(perMillion(sources, 'native-workerd'))}, the template's ${dollars(perMillion(sources, 'template-workerd'))}; ` +
    `an hour of one person's own container (\`${plan.instanceType}\`, \`sleepAfter\` ${plan.sleepAfterSeconds / 60} min) at a call a minute costs ${dollars(hour.ownContainer.usd)}, ` +
    `the same hour through the template shape ${dollars(hour.template.usd)}.`
  );
}

/** `, load average 4.28 at the start` when hot-path.json records it: a shared machine's figures read in their context. */
function loadNote(sources: FigureSources): string {
  const average = sources.hotPath.loadAverageAtStart;
  return average === undefined ? '' : `, load average ${average} at the start`;
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
    `Stages measured by \`npm run bench:profile\` on ${day(sources.hotPath.measuredAt)}${loadNote(sources)}:`,
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

/** bench/README.md: the stages again in workerd without wrangler dev, and each isolate part by part. */
function hotPathProduction(sources: FigureSources): string {
  const cell = (cpu: ReadonlyArray<{ name: string; msPerCall: number }>, name: string) => {
    const share = cpu.find((candidate) => candidate.name === name);
    return share ? share.msPerCall.toFixed(2) : '';
  };
  const stages = sources.hotPath.productionStages;
  const floor = stages.find((candidate) => candidate.stage.startsWith('0.'));
  const forward = stages.find((candidate) => candidate.stage.startsWith('4.'));
  if (!floor || !forward) throw new Error('bench/results/hot-path.json has no production-like stages 0 and 4');
  const lines = [
    `The same stages with the Worker in workerd without \`wrangler dev\` (\`npm run bench:profile\` on ${day(sources.hotPath.measuredAt)}${loadNote(sources)}):`,
    '',
    "| stage | median ms | CPU ms/request: the Worker's workerd | bridge | stdio server |",
    '| --- | ---: | ---: | ---: | ---: |',
    ...stages.map(
      ({ stage: name, latency, cpu }) =>
        `| ${name.replaceAll('tools/call', '`tools/call`')} | ${latency.median.toFixed(2)} | ${['workerd: the Worker', 'bridge (Node)', 'stdio servers (server-everything)'].map((column) => cell(cpu, column)).join(' | ')} |`,
    ),
    '',
    `Without \`wrangler dev\` a bare Worker answers in ${floor.latency.median.toFixed(2)} ms, and the proxied call in ${forward.latency.median.toFixed(2)} ms. ` +
      "The workerd column is the whole process (the Worker, Miniflare's KV and Durable Objects, the HTTP serving); each isolate's own CPU, from CPU profiles, part by part (ms per call):",
    '',
    ...sources.hotPath.isolates.flatMap((isolate) =>
      (
        [
          ["the Worker's isolate", isolate.worker],
          ["its Durable Objects' isolate", isolate.objects],
        ] as const
      )
        .filter(([, figures]) => figures.msPerCall > 0)
        .map(
          ([name, figures]) =>
            `- ${isolate.label}, ${name}: ${figures.msPerCall.toFixed(2)} in all; ${figures.parts
              .filter((part) => part.msPerCall >= 0.01)
              .map((part) => `${part.part} ${part.msPerCall.toFixed(2)}`)
              .join(', ')}.`,
        ),
    ),
  ];
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
  'bench/README.md': {
    production,
    'hot-path-stages': hotPathStages,
    'hot-path-production': hotPathProduction,
    'hot-path-cpu': hotPathCpu,
    load,
  },
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
