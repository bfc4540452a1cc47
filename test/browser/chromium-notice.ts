/**
 * Vitest global setup of the browser project: on a machine without Chromium, say in one
 * line how to get it and which tests were left out (they skip themselves).
 */
import { hasChromium, installChromiumHint } from './chromium.ts';

/** Test files that need Chromium. */
export const testsNeedingChromium = ['test/browser/*.test.ts', 'test/e2e/clients/mcp-remote.test.ts'];

export default function chromiumNotice(): void {
  if (hasChromium) return;
  console.log(
    `browser tests skipped (no Chromium): ${installChromiumHint}; left out: ${testsNeedingChromium.join(', ')}`,
  );
}
