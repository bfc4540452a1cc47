/**
 * The targets of issues 7 and 17, judged from one run's figures, each with the figure it was judged
 * on and, when not met, what stands in the way from a profile. Pure, so a test can hold every
 * verdict to its figures.
 */
import type { EchoRow } from '../measure/echo-row.ts';
import type { BenchResults } from './results.ts';
import { templateBaseline } from './template-baseline.ts';

/** One target (issues 7 and 17) against this run's figures. */
export interface TargetCheck {
  target: string;
  figure: string;
  met: 'yes' | 'no' | 'pending';
  /** For a target not met: what stands in the way, from the run's CPU profiles and counts. */
  note?: string;
}

type MeasuredRow = Extract<EchoRow, { status: 'measured' }>;

/**
 * Checks this run against the targets of issues 7 and 17. A target whose figures are missing
 * (a row not available, a measurement pending) is `pending`, never `yes`. The targets that
 * compare with Cloudflare's template use its live row of this run when it was measured, else
 * the issue's reference figures, and say which ({@link templateBaseline}). Pure.
 *
 * @example
 * ```ts
 * for (const check of checkTargets(results)) console.log(check.target, check.met);
 * ```
 */
export function checkTargets(results: BenchResults): TargetCheck[] {
  const row = (id: string) =>
    results.rows.find((candidate): candidate is MeasuredRow => candidate.id === id && candidate.status === 'measured');
  const at32 = (measured: MeasuredRow | undefined) =>
    measured?.throughput.find((result) => result.concurrency === 32)?.callsPerSecond;
  const floor = row('direct-stdio');
  const bridge = row('bridge');
  const stack = row('local-stack');
  const native = row('native');
  const supergateway = row('supergateway');
  const template = templateBaseline(results.rows);
  const checks: TargetCheck[] = [];
  const add = (
    target: string,
    figures: Array<number | undefined>,
    figure: () => string,
    met: () => boolean,
    inTheWay?: () => string | undefined,
  ) => {
    const ready = figures.every((value) => value !== undefined);
    const verdict = ready ? (met() ? 'yes' : 'no') : 'pending';
    const note = verdict === 'no' ? inTheWay?.() : undefined;
    checks.push({ target, figure: ready ? figure() : 'not measured', met: verdict, ...(note ? { note } : {}) });
  };
  const f = (value: number | undefined) => value!.toFixed(2);
  const profile = results.wranglerDevProfile?.status === 'measured' ? results.wranglerDevProfile : undefined;
  const productionStack = row('local-stack-workerd');
  // What a `wrangler dev` row's latency carries that Cloudflare does not charge (bench:profile's stage 0).
  const aboveFloor = (median: number) =>
    profile &&
    `\`wrangler dev\` alone costs any Worker ${f(profile.floorMs)} ms a request (a bare Worker, \`npm run bench:profile\` of ${profileWhen(profile)}); above that floor ours is ${f(median - profile.floorMs)} ms against the template's ${f(template.median - profile.floorMs)} ms (${((median - profile.floorMs) / (template.median - profile.floorMs)).toFixed(2)}×)`;
  // At 32 clients the two cores are full, so calls/s is CPU per call: where it goes, from bench:profile.
  const cpuAt32 = (against: string, budget: (ours: number, template: number) => number | undefined) => {
    const ours = profile?.cpuAt32.find((entry) => entry.row === 'ours');
    const theirs = profile?.cpuAt32.find((entry) => entry.row === 'template');
    if (!profile || !ours || !theirs) return undefined;
    const allowed = budget(ours.msPerCall, theirs.msPerCall);
    return `at 32 clients the machine's two cores are full, so calls/s is CPU per call (\`npm run bench:profile\` of ${profileWhen(profile)}): ours ${f(ours.msPerCall)} ms a call in all processes, of which ${f(ours.sharedMsPerCall)} ms is wrangler's proxy, wrangler and the benchmark's clients, which every row under \`wrangler dev\` pays; the template's ${f(theirs.msPerCall)} ms${allowed === undefined ? '' : `; ${against} would need about ${f(allowed)} ms a call in all`}`;
  };

  add(
    'bridge median within 1 ms of direct stdio',
    [bridge?.latency.median, floor?.latency.median],
    () => `${f(bridge!.latency.median)} vs ${f(floor!.latency.median)} ms`,
    () => bridge!.latency.median - floor!.latency.median <= 1,
  );
  add(
    'local stack median within 2 ms of the bridge',
    [stack?.latency.median, bridge?.latency.median],
    () => `${f(stack!.latency.median)} vs ${f(bridge!.latency.median)} ms`,
    () => stack!.latency.median - bridge!.latency.median <= 2,
    () =>
      profile &&
      `\`wrangler dev\` alone costs any Worker ${f(profile.floorMs)} ms a request (a bare Worker, \`npm run bench:profile\` of ${profileWhen(profile)})${productionStack ? `; without it (production-like row) the whole stack is ${f(productionStack.latency.median)} ms, ${f(productionStack.latency.median - bridge!.latency.median)} ms above the bridge` : ''}`,
  );
  const againstTemplateMedian = (median: number) =>
    `${f(median)} ms vs the template's ${f(template.median)} ms (${template.describe})`;
  add(
    "local stack median under half the template's",
    [stack?.latency.median],
    () => againstTemplateMedian(stack!.latency.median),
    () => stack!.latency.median < template.median / 2,
    () => aboveFloor(stack!.latency.median),
  );
  add(
    'local stack p99 under 3× its median',
    [stack?.latency.p99],
    () => `p99 ${f(stack!.latency.p99)} ms, median ${f(stack!.latency.median)} ms`,
    () => stack!.latency.p99 < 3 * stack!.latency.median,
  );
  add(
    "native tool median under half the template's",
    [native?.latency.median],
    () => againstTemplateMedian(native!.latency.median),
    () => native!.latency.median < template.median / 2,
    () => aboveFloor(native!.latency.median),
  );
  add(
    "local stack calls/s @32 at least twice the template's",
    [at32(stack)],
    () => `${at32(stack)} vs the template's ${template.callsPerSecondAt32} calls/s (${template.describe})`,
    () => at32(stack)! >= 2 * template.callsPerSecondAt32,
    () => cpuAt32("twice the template's calls/s", (_ours, theirs) => theirs / 2),
  );
  add(
    "local stack calls/s @32 at least half of supergateway's (this run)",
    [at32(stack), at32(supergateway)],
    () => `${at32(stack)} vs ${at32(supergateway)} calls/s`,
    () => at32(stack)! >= at32(supergateway)! / 2,
    () =>
      cpuAt32("half of supergateway's calls/s", (ours) => (ours * at32(stack)!) / (at32(supergateway)! / 2))?.concat(
        "; supergateway's row pays none of wrangler dev's processes nor a Worker",
      ),
  );
  const gzip = (kind: string) =>
    results.bundles.status === 'measured'
      ? results.bundles.sizes.find((size) => size.kind === kind)?.gzipKiB
      : undefined;
  const proxyOnly = gzip('proxy-only');
  const withNative = gzip('with-native-tools');
  const partsOf = (kind: string) =>
    results.bundles.status === 'measured'
      ? results.bundles.sizes.find((size) => size.kind === kind)?.largestParts
      : undefined;
  add(
    'Worker bundle without native tools under 64 KiB gzipped',
    [proxyOnly],
    () => `${proxyOnly} KiB`,
    () => proxyOnly! < 64,
    () => {
      const parts = partsOf('proxy-only');
      return (
        parts &&
        `largest parts of the minified code (raw KiB): ${parts.map(({ part, rawKiB }) => `${part} ${rawKiB}`).join(', ')}`
      );
    },
  );
  add(
    'Worker bundle with native tools under 300 KiB gzipped',
    [withNative],
    () => `${withNative} KiB`,
    () => withNative! < 300,
  );
  checks.push(...productionTargets(results, row));
  const coldStart = results.coldStart.status === 'measured' ? results.coldStart.seconds : undefined;
  add(
    'local stack ready in under 15 s',
    [coldStart],
    () => `${coldStart!.toFixed(1)} s`,
    () => coldStart! < 15,
  );
  return checks;
}

/** When the profile was taken, and how loaded the machine was: `2026-12-06, load average 4.28 at the start`. */
function profileWhen(profile: { measuredAt: string; loadAverageAtStart?: number }): string {
  const load =
    profile.loadAverageAtStart === undefined ? '' : `, load average ${profile.loadAverageAtStart} at the start`;
  return `${profile.measuredAt.slice(0, 10)}${load}`;
}

/** The parts of a profile that cost most, as a note: `OAuth provider library 0.21, policy gate 0.12, …`. */
function largestParts(parts: ReadonlyArray<{ part: string; msPerCall: number }>, count = 4): string {
  return parts
    .slice(0, count)
    .map((part) => `${part.part} ${part.msPerCall.toFixed(2)}`)
    .join(', ');
}

/** The largest line of a path's million calls, as a note: `the largest line is Workers Logs ($0.86 of $1.32)`. */
function largestLine(path: { perMillionCalls: { usd: number; lines: ReadonlyArray<{ item: string; usd: number }> } }) {
  const largest = path.perMillionCalls.lines.reduce((a, b) => (b.usd > a.usd ? b : a));
  return `the largest line is ${largest.item} ($${largest.usd.toFixed(2)} of $${path.perMillionCalls.usd.toFixed(2)})`;
}

/** Issue 17's targets: the production-like rows (workerd without wrangler dev), isolate CPU and cost. */
function productionTargets(results: BenchResults, row: (id: string) => MeasuredRow | undefined): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const stack = row('local-stack-workerd');
  const native = row('native-workerd');
  const template = row('template-workerd');
  const accounting = results.accounting.status === 'measured' ? results.accounting.paths : [];
  const accounted = (id: string) => accounting.find((path) => path.id === id)?.accounting;
  const f = (value: number) => value.toFixed(2);
  // Side by side when measured so (the rows are minutes apart on a shared machine), else the rows' own medians.
  const paired = results.paired?.status === 'measured' ? results.paired.latency : undefined;
  const median = (id: string, measured: MeasuredRow | undefined) => paired?.[id]?.median ?? measured?.latency.median;
  const versusTemplate = (label: string, id: string, measured: MeasuredRow | undefined) => {
    const ourMedian = median(id, measured);
    const templateMedian = median('template-workerd', template);
    const ready = ourMedian !== undefined && templateMedian !== undefined;
    const met = ready && ourMedian <= templateMedian / 2;
    const ours = accounted(id);
    const theirs = accounted('template-workerd');
    const how = paired?.[id] && paired['template-workerd'] ? 'side by side, in turns' : "the rows' medians";
    checks.push({
      target: `production-like: ${label} median at most half the template shape's`,
      figure: ready
        ? `${f(ourMedian)} ms vs the template's ${f(templateMedian)} ms (${(ourMedian / templateMedian).toFixed(2)}×, ${how})`
        : 'not measured',
      met: ready ? (met ? 'yes' : 'no') : 'pending',
      ...(ready && !met && ours
        ? {
            note: `the Worker's isolate spends ${f(ours.worker.msPerCall)} ms per call (${largestParts(ours.worker.parts)})${theirs ? `, the template's ${f(theirs.worker.msPerCall)} + ${f(theirs.objects.msPerCall)} ms in its Durable Object` : ''}; the rest of the median is the client, the HTTP hops and, for the proxied call, the bridge and the stdio server`,
          }
        : {}),
    });
  };
  versusTemplate('whole stack', 'local-stack-workerd', stack);
  versusTemplate('native tool', 'native-workerd', native);

  const proxied = accounted('local-stack-workerd');
  checks.push({
    target: 'Worker isolate CPU per proxied call at most 0.5 ms',
    figure: proxied
      ? `${proxied.worker.msPerCall.toFixed(3)} ms (CPU profile of the isolate, ${proxied.calls} calls)`
      : 'not measured',
    met: proxied ? (proxied.worker.msPerCall <= 0.5 ? 'yes' : 'no') : 'pending',
    ...(proxied && proxied.worker.msPerCall > 0.5
      ? { note: `where it goes: ${largestParts(proxied.worker.parts, 6)}` }
      : {}),
  });

  const cost = results.cost.status === 'measured' ? results.cost : undefined;
  const ours = cost?.paths.find((path) => path.id === 'local-stack-workerd');
  const theirs = cost?.paths.find((path) => path.id === 'template-workerd');
  const ready = ours !== undefined && theirs !== undefined;
  const ratio = ready ? ours.perMillionCalls.usd / theirs.perMillionCalls.usd : Number.NaN;
  const line = (path: NonNullable<typeof ours>) =>
    path.perMillionCalls.lines.map((item) => `${item.item} $${item.usd.toFixed(3)}`).join(', ');
  checks.push({
    target: "cost of a million proxied calls (containers excluded) at most half the template's",
    figure: ready
      ? `$${ours.perMillionCalls.usd.toFixed(2)} vs the template's $${theirs.perMillionCalls.usd.toFixed(2)} (${ratio.toFixed(2)}×)`
      : 'not measured',
    met: ready ? (ratio <= 0.5 ? 'yes' : 'no') : 'pending',
    ...(ready && ratio > 0.5
      ? { note: `${largestLine(ours)}; ours: ${line(ours)}; the template's: ${line(theirs)}` }
      : {}),
  });
  return checks;
}
