/**
 * Vitest global setup of the browser project: on a developer's machine without Chromium, say in
 * one line how to get it and which tests were left out (they skip themselves). Where a skip
 * would hide it (CI, a stale CHROMIUM_PATH) the tests fail with the reason instead.
 */
import type { TestProject } from 'vitest/node';

/** Test files that need Chromium. */
const testsNeedingChromium = [
  'test/browser/sign-in.test.ts',
  'test/browser/inspector-web.test.ts',
  'test/e2e/clients/mcp-remote.test.ts',
];

export default function chromiumNotice(project: TestProject): void {
  const chromium = project.getProvidedContext().chromium;
  if (chromium.available || chromium.mustFail) return;
  console.log(`browser tests skipped: ${chromium.reason}; left out: ${testsNeedingChromium.join(', ')}`);
}
