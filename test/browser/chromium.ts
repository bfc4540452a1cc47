/**
 * Debian's Chromium for the browser tests, driven by `playwright-core` (never a
 * downloaded browser build). Each launch gets a fresh profile folder, removed on close,
 * so no test sees another's cookies.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

/** Where Debian installs Chromium; `CHROMIUM_PATH` overrides it. */
const chromiumPath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/** Whether the browser tests can run here. */
export const hasChromium = existsSync(chromiumPath);

/** The one line a run without Chromium prints: how to get it. */
export const installChromiumHint = 'install it with `sudo apt-get install -y chromium` (or set CHROMIUM_PATH)';

/** Flags for a quiet, offline headless Chromium in a container (no sandbox, GPU, QUIC or background traffic). */
const chromiumFlags = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A headless Chromium with its own profile; `close()` stops it and deletes the profile. */
export interface ChromiumSession {
  context: BrowserContext;
  close(): Promise<void>;
}

/**
 * Launches headless Chromium with a fresh `--user-data-dir`.
 *
 * @example
 * ```ts
 * const browser = await launchChromium();
 * try { const page = await browser.context.newPage(); await page.goto(url); } finally { await browser.close(); }
 * ```
 */
export async function launchChromium(): Promise<ChromiumSession> {
  const profile = await mkdtemp(join(tmpdir(), 'secure-mcp-chromium-'));
  try {
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: chromiumPath,
      headless: true,
      args: chromiumFlags,
      viewport: { width: 900, height: 760 },
      locale: 'en-US',
    });
    return {
      context,
      async close() {
        await context.close().catch(() => {});
        await rm(profile, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(profile, { recursive: true, force: true });
    throw error;
  }
}
