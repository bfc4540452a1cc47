import { describe, expect, it } from 'vitest';
import { findChromium } from './chromium.ts';

describe('findChromium', () => {
  const missing = '/nonexistent/chromium';

  it('finds an executable at CHROMIUM_PATH', () => {
    expect(findChromium({ CHROMIUM_PATH: process.execPath }, missing)).toEqual({
      available: true,
      path: process.execPath,
    });
  });

  it('skips with the install hint on a developer machine without Chromium', () => {
    expect(findChromium({}, missing)).toEqual({
      available: false,
      mustFail: false,
      reason: expect.stringContaining('apt-get install -y chromium'),
    });
  });

  it('fails instead of skipping under CI=true', () => {
    expect(findChromium({ CI: 'true' }, missing)).toMatchObject({ available: false, mustFail: true });
  });

  it('fails on a CHROMIUM_PATH that names no executable, CI or not', () => {
    expect(findChromium({ CHROMIUM_PATH: missing }, process.execPath)).toEqual({
      available: false,
      mustFail: true,
      reason: `CHROMIUM_PATH=${missing} is not an executable file`,
    });
    expect(findChromium({ CHROMIUM_PATH: import.meta.filename }).available).toBe(false); // not executable
    expect(findChromium({ CHROMIUM_PATH: import.meta.dirname }).available).toBe(false); // a folder
  });
});
