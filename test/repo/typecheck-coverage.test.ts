/**
 * The type-check sees every file: each tracked TypeScript (and JavaScript) file is in the
 * program of a tsconfig.json in its folder or above it, and `npm test` type-checks every
 * tsconfig.json. "Above it" matters twice: `tsc -p` checks only what a config includes, and the
 * type-aware linter (oxlint-tsgolint) types a file with the closest config that includes it
 * (searching upwards, as TypeScript's editor service does), so a file that no such config
 * includes is linted with guessed types.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '../..');
const tsc = join(root, 'node_modules/typescript/bin/tsc');

async function tracked(...patterns: string[]): Promise<string[]> {
  const { stdout } = await run('git', ['ls-files', '-z', '--', ...patterns], { cwd: root });
  return stdout.split('\0').filter(Boolean);
}

/** The files in one tsconfig's program, relative to the root, without dependencies. */
async function programOf(config: string): Promise<Set<string>> {
  const { stdout } = await run(process.execPath, [tsc, '-p', config, '--listFilesOnly'], {
    cwd: root,
    maxBuffer: 64 * 1024 * 1024,
  });
  return new Set(
    stdout
      .split('\n')
      .filter((line) => line && !line.includes('/node_modules/'))
      .map((file) => relative(root, file)),
  );
}

/** The closest tsconfig.json in the file's folder or above whose program has the file. */
function owningConfig(file: string, programs: Map<string, Set<string>>): string | undefined {
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    const candidate = dir === '.' ? 'tsconfig.json' : `${dir}/tsconfig.json`;
    if (programs.get(candidate)?.has(file)) return candidate;
    if (dir === '.') return undefined;
  }
}

describe('the type-check', () => {
  it('covers every tracked source file with a tsconfig.json in its folder or above', { timeout: 120_000 }, async () => {
    const configs = await tracked('tsconfig.json', '**/tsconfig.json');
    const sources = await tracked('*.ts', '*.mts', '*.cts', '*.js', '*.mjs', '*.cjs');
    expect(sources.length).toBeGreaterThan(250);
    const programs = new Map(
      await Promise.all(configs.map(async (config) => [config, await programOf(config)] as const)),
    );

    const uncovered = sources.filter((file) => owningConfig(file, programs) === undefined);
    expect(uncovered, 'files that no tsconfig.json in their folder or above checks').toEqual([]);
  });

  it('runs in npm test, after lint, for every tsconfig.json in the repository', async () => {
    const { scripts } = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    expect(scripts.test).toBe('node dev/pinned-node.mjs test:suite');
    expect(scripts['test:suite']).toMatch(/^npm run lint && npm run typecheck && /);
    const checked = [...(scripts.typecheck ?? '').matchAll(/\btsc -p (\S+)/g)].map(([, path = '']) =>
      path.endsWith('.json') ? path : `${path}/tsconfig.json`,
    );
    expect(checked.toSorted()).toEqual((await tracked('tsconfig.json', '**/tsconfig.json')).toSorted());
  });
});
