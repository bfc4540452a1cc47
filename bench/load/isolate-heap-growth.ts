/** How a V8 isolate's live heap (after a full garbage collection) grew over the calls after warm-up: the Worker's, or the bridge host's Node process's. */
export interface IsolateHeapGrowth {
  /** Used heap after a full collection, once the warm-up's calls had ended. */
  afterWarmUpMiB: number;
  /** Used heap after a full collection, once all calls had ended. */
  atEndMiB: number;
  /** `atEnd - afterWarmUp`, at least 0. */
  growthMiB: number;
  boundMiB: number;
  withinBound: boolean;
}

const mib = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;

/**
 * Compares two readings of an isolate's used heap, each taken after a full collection with no
 * call in flight: what the second holds beyond the first is what the calls between them left
 * behind. Pure.
 *
 * @example
 * ```ts
 * isolateHeapGrowth(4.1 * 2 ** 20, 4.6 * 2 ** 20, 16); // { afterWarmUpMiB: 4.1, atEndMiB: 4.6, growthMiB: 0.5, boundMiB: 16, withinBound: true }
 * ```
 */
export function isolateHeapGrowth(afterWarmUpBytes: number, atEndBytes: number, boundMiB: number): IsolateHeapGrowth {
  const growthMiB = mib(Math.max(0, atEndBytes - afterWarmUpBytes));
  return {
    afterWarmUpMiB: mib(afterWarmUpBytes),
    atEndMiB: mib(atEndBytes),
    growthMiB,
    boundMiB,
    withinBound: growthMiB <= boundMiB,
  };
}
