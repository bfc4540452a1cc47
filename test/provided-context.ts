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

/**
 * Whether the real-container tests can run, decided by their global setup
 * (test/containers/engine-setup.ts), which also starts what they share: the project's Docker
 * engine, the local images and the test server package. Without root or an engine they skip on a
 * developer's machine with a one-line notice; under `CI=true`, or when the engine fails to start
 * where it should, they fail with the reason.
 */
export type ContainerEngineAvailability =
  | {
      available: true;
      dockerHost: string;
      /** `<image>@sha256:…` of the local base image. */
      baseImage: string;
      egressImage: string;
      buildCaFile?: string;
      /** URL (loopback) of the test stdio server's npm tarball, for `MCP_SERVER_PACKAGE`. */
      testServerPackage: string;
    }
  | { available: false; reason: string; mustFail: boolean };

declare module 'vitest' {
  export interface ProvidedContext {
    /** Requests per fuzzed endpoint in the attack suite (`npm run fuzz` raises it). */
    fuzzRuns: number;
    chromium: ChromiumAvailability;
    containers: ContainerEngineAvailability;
  }
}
