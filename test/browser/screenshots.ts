/**
 * The browser tests' screenshots, taken one way (the whole page, animations stopped, so two runs
 * give comparable pictures) into one folder, test-results/browser/, where a reviewer looks and
 * from which the reviewed ones are copied to docs/screenshots/.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';

const SCREENSHOT_DIR = join(import.meta.dirname, '..', '..', 'test-results', 'browser');

/**
 * Saves `page` as `<name>.png` (Playwright makes the folder when it is missing).
 *
 * @example
 * ```ts
 * await screenshot(page, 'consent-page'); // test-results/browser/consent-page.png
 * ```
 */
export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: true, animations: 'disabled' });
}
