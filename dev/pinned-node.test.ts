import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensurePinnedNode, isPinned, isTooOld } from './pinned-node.mjs';

describe('isTooOld', () => {
  it('is true below 22.12 and false from it on', () => {
    expect(['20.20.0', '22.11.9', '18.0.0'].map(isTooOld)).toEqual([true, true, true]);
    expect(['22.12.0', '23.0.0', '24.21.0'].map(isTooOld)).toEqual([false, false, false]);
  });
});

describe('isPinned', () => {
  it('matches a major or an exact version, part by part', () => {
    expect(isPinned('v24.21.0', '24')).toBe(true);
    expect(isPinned('v24.21.0', '24.21.0')).toBe(true);
    expect(isPinned('v23.11.0', '24')).toBe(false);
    expect(isPinned('v24.2.1', '24.21')).toBe(false);
  });
});

describe('ensurePinnedNode', () => {
  let repoRoot: string;
  let installs: string[];
  let log: string[];
  const platformPackage = `node-${process.platform}-${process.arch}`;
  const binOf = (prefix: string) => join(prefix, 'node_modules', platformPackage, 'bin');
  /** Stands in for `npm install`: puts a `node` that prints `version` where npm would. */
  const installing = (version: string) => (prefix: string, spec: string) => {
    installs.push(spec);
    mkdirSync(binOf(prefix), { recursive: true });
    writeFileSync(join(binOf(prefix), 'node'), `#!/bin/sh\necho ${version}\n`);
    chmodSync(join(binOf(prefix), 'node'), 0o755);
  };
  const ensure = (install: (prefix: string, spec: string) => void) =>
    ensurePinnedNode({ repoRoot, install, log: (line) => log.push(line) });

  beforeEach(async () => {
    repoRoot = await mkdtemp(join(tmpdir(), 'secure-mcp-pinned-node-'));
    await writeFile(join(repoRoot, '.nvmrc'), '24\n');
    installs = [];
    log = [];
  });
  afterEach(() => rm(repoRoot, { recursive: true, force: true }));

  it('fetches the .nvmrc version into .tools/node once, then uses that copy', () => {
    const prefix = join(repoRoot, '.tools', 'node');
    expect(ensure(installing('v24.21.0'))).toBe(binOf(prefix));
    expect(ensure(installing('v24.21.0'))).toBe(binOf(prefix));
    expect(installs).toEqual([`${platformPackage}@24`]);
    expect(log).toEqual(['secure-mcp: fetching Node 24 (.nvmrc) from the npm registry into .tools/node']);
  });

  it('replaces a copy of another version that an earlier run left, saying so', () => {
    installing('v23.11.0')(join(repoRoot, '.tools', 'node'), 'an earlier run');
    expect(ensure(installing('v24.21.0'))).toBe(binOf(join(repoRoot, '.tools', 'node')));
    expect(installs).toEqual(['an earlier run', `${platformPackage}@24`]);
    expect(log).toEqual(['secure-mcp: .tools/node holds Node v23.11.0, not 24 (.nvmrc); fetching 24']);
  });

  it('refuses a fetched Node that is not the pinned one', () => {
    expect(() => ensure(installing('v22.12.0'))).toThrow('fetched Node v22.12.0 into .tools/node, but .nvmrc says 24');
  });

  it('names a .nvmrc that holds no version', async () => {
    await writeFile(join(repoRoot, '.nvmrc'), 'lts/*\n');
    expect(() => ensure(installing('v24.21.0'))).toThrow('.nvmrc says "lts/*", which is not a Node version');
  });
});
