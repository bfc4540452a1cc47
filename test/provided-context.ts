/**
 * What vitest.config.ts hands the tests with `provide` (read with `inject`), typed once for every
 * project: values decided once per run, before any test file loads.
 */

/**
 * Whether the browser tests can run. Missing Chromium skips them on a developer's machine, with
 * a one-line notice; under `CI=true`, or when `CHROMIUM_PATH` names no executable, they fail
 * with the reason instead.
 */
export type ChromiumAvailability =
  | { available: true; path: string }
  | { available: false; reason: string; mustFail: boolean };

declare module 'vitest' {
  export interface ProvidedContext {
    /** Requests per fuzzed endpoint in the attack suite (`npm run fuzz` raises it). */
    fuzzRuns: number;
    chromium: ChromiumAvailability;
  }
}
