import type { EchoRow } from '../measure/echo-row.ts';
import type { BenchResults } from './results.ts';
import { templateBaseline } from './template-baseline.ts';

/** One target of issue 7 against this run's figures. */
export interface TargetCheck {
  target: string;
  figure: string;
  met: 'yes' | 'no' | 'pending';
}

type MeasuredRow = Extract<EchoRow, { status: 'measured' }>;

/**
 * Checks this run against the targets of issue 7. A target whose figures are missing
 * (a row not available, a measurement pending) is `pending`, never `yes`. The targets that
 * compare with Cloudflare's template use its live row of this run when it was measured, else
 * the reference figures, and say which ({@link templateBaseline}). Pure.
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
  const add = (target: string, figures: Array<number | undefined>, figure: () => string, met: () => boolean) => {
    const ready = figures.every((value) => value !== undefined);
    checks.push({ target, figure: ready ? figure() : 'not measured', met: ready ? (met() ? 'yes' : 'no') : 'pending' });
  };
  const f = (value: number | undefined) => value!.toFixed(2);

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
  );
  const againstTemplateMedian = (median: number) =>
    `${f(median)} ms vs the template's ${f(template.median)} ms (${template.describe})`;
  add(
    "local stack median under half the template's",
    [stack?.latency.median],
    () => againstTemplateMedian(stack!.latency.median),
    () => stack!.latency.median < template.median / 2,
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
  );
  add(
    "local stack calls/s @32 at least twice the template's",
    [at32(stack)],
    () => `${at32(stack)} vs the template's ${template.callsPerSecondAt32} calls/s (${template.describe})`,
    () => at32(stack)! >= 2 * template.callsPerSecondAt32,
  );
  add(
    "local stack calls/s @32 at least half of supergateway's (this run)",
    [at32(stack), at32(supergateway)],
    () => `${at32(stack)} vs ${at32(supergateway)} calls/s`,
    () => at32(stack)! >= at32(supergateway)! / 2,
  );
  const gzip = (kind: string) =>
    results.bundles.status === 'measured'
      ? results.bundles.sizes.find((size) => size.kind === kind)?.gzipKiB
      : undefined;
  const proxyOnly = gzip('proxy-only');
  const withNative = gzip('with-native-tools');
  add(
    'Worker bundle without native tools under 64 KiB gzipped',
    [proxyOnly],
    () => `${proxyOnly} KiB`,
    () => proxyOnly! < 64,
  );
  add(
    'Worker bundle with native tools under 300 KiB gzipped',
    [withNative],
    () => `${withNative} KiB`,
    () => withNative! < 300,
  );
  const coldStart = results.coldStart.status === 'measured' ? results.coldStart.seconds : undefined;
  add(
    'local stack ready in under 15 s',
    [coldStart],
    () => `${coldStart!.toFixed(1)} s`,
    () => coldStart! < 15,
  );
  return checks;
}
