/**
 * The local stack a browser test file signs people in to, started once before the file's tests
 * and stopped after them, and only when those tests run (Chromium found, or its absence must fail
 * the run): three browser files had the same two hooks, and a file that runs no tests must not
 * start a stack for nothing.
 */
import { afterAll, beforeAll } from 'vitest';
import { startPrivateStack } from '../../dev/stack/private-stack.ts';
import { chromiumReady } from './chromium.ts';

/** The running stack, as `startPrivateStack` returns it. */
export type BrowserTestStack = Awaited<ReturnType<typeof startPrivateStack>>;

/**
 * Registers the file's hooks; the returned function gives the running stack inside a test.
 *
 * @example
 * ```ts
 * const stack = privateStackForBrowserTests({ workerVars: { APPROVAL_WAIT: '2m' } });
 * it('…', async () => { await page.goto(stack().workerUrl); });
 * ```
 */
export function privateStackForBrowserTests(options?: Parameters<typeof startPrivateStack>[0]): () => BrowserTestStack {
  let stack: BrowserTestStack | undefined;
  beforeAll(async () => {
    if (chromiumReady()) stack = await startPrivateStack(options);
  });
  afterAll(async () => {
    await stack?.cleanup();
  });
  return () => {
    if (!stack) throw new Error('the local stack is not running: the browser tests of this file do not run here');
    return stack;
  };
}
