/**
 * Debian's Chromium for the browser tests, driven by `playwright-core` (never a
 * downloaded browser build). Each launch gets a fresh profile folder, removed on close,
 * so no test sees another's cookies.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { inject } from 'vitest';
import type { ChromiumAvailability } from '../provided-context.ts';

/** Where Debian installs Chromium; `CHROMIUM_PATH` overrides it. */
const DEFAULT_CHROMIUM_PATH = '/usr/bin/chromium';

/** How to get Chromium, for the line a run without it prints. */
const INSTALL_CHROMIUM_HINT = 'install it with `sudo apt-get install -y chromium` (or set CHROMIUM_PATH)';

/**
 * Whether the browser tests can run, decided once per run (vitest.config.ts hands it to the tests
 * with `provide`), so which tests run never depends on what another process installs while the
 * suite loads.
 *
 * @example
 * ```ts
 * findChromium({ CI: 'true' }); // { available: false, mustFail: true, reason: '…' } on a machine without it
 * ```
 */
export function findChromium(
  env: Record<string, string | undefined> = process.env,
  defaultPath = DEFAULT_CHROMIUM_PATH,
): ChromiumAvailability {
  const configured = env.CHROMIUM_PATH || undefined;
  const path = configured ?? defaultPath;
  try {
    accessSync(path, constants.X_OK);
    if (!statSync(path).isFile()) throw new Error('not a file');
    return { available: true, path };
  } catch {
    if (configured)
      return { available: false, mustFail: true, reason: `CHROMIUM_PATH=${configured} is not an executable file` };
    const ci = env.CI === 'true' || env.CI === '1';
    return { available: false, mustFail: ci, reason: `no Chromium at ${path}: ${INSTALL_CHROMIUM_HINT}` };
  }
}

/** For `describe.skipIf`: the browser tests are left out (a developer's machine without Chromium). */
export function skipsWithoutChromium(): boolean {
  const found = inject('chromium');
  return !found.available && !found.mustFail;
}

/**
 * For the `beforeAll` that starts what the browser tests need: `true` when they run; throws the
 * reason where a skip would hide it (CI, a stale `CHROMIUM_PATH`), which fails every test of the file.
 */
export function chromiumReady(): boolean {
  const found = inject('chromium');
  if (found.available) return true;
  if (found.mustFail) throw new Error(`Chromium is needed here: ${found.reason}`);
  return false;
}

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
      executablePath: chromiumExecutable(),
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

function chromiumExecutable(): string {
  const found = inject('chromium');
  if (!found.available) throw new Error(`Chromium is needed here: ${found.reason}`);
  return found.path;
}
