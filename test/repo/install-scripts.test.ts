/**
 * Every dependency's install script is reviewed: npm 11.16+ reads `allowScripts` in package.json
 * (advisory in npm 11, blocking in npm 12: docs.npmjs.com/cli/v12/commands/npm-install-scripts),
 * so a new dependency that brings an install script, or a review left for a package that no longer
 * has one, fails here rather than at the next npm's first install.
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');

interface LockedPackage {
  name?: string;
  hasInstallScript?: boolean;
}

async function readJson<T>(file: string): Promise<T> {
  return JSON.parse(await readFile(join(root, file), 'utf8')) as T;
}

/** The names of the locked packages that run an install script, from package-lock.json. */
async function packagesWithInstallScripts(): Promise<string[]> {
  const lock = await readJson<{ packages: Record<string, LockedPackage> }>('package-lock.json');
  const names = Object.entries(lock.packages)
    .filter(([path, locked]) => path !== '' && locked.hasInstallScript)
    .map(([path, locked]) => locked.name ?? path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length));
  return [...new Set(names)].sort();
}

describe('install scripts of dependencies', () => {
  it('are each approved or denied in package.json allowScripts, and nothing else is listed', async () => {
    const withScripts = await packagesWithInstallScripts();
    const { allowScripts = {} } = await readJson<{ allowScripts?: Record<string, boolean> }>('package.json');
    const reviewed = Object.keys(allowScripts).map((key) => key.replace(/(?<=.)@[^@]*$/, ''));
    expect(withScripts.length).toBeGreaterThan(0);
    expect([...new Set(reviewed)].sort()).toEqual(withScripts);
  });

  it('run only where the tools need them: esbuild and workerd fetch their platform binaries', async () => {
    const { allowScripts = {} } = await readJson<{ allowScripts?: Record<string, boolean> }>('package.json');
    const approved = Object.entries(allowScripts)
      .filter(([, allowed]) => allowed)
      .map(([key]) => key);
    expect(approved.sort()).toEqual(['esbuild', 'workerd']);
  });
});
