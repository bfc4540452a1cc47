import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIGURE_DOCUMENTS, readFigureSources, withFigures } from './figures.ts';

const root = join(import.meta.dirname, '..', '..');

describe('the figures in the documents', () => {
  it.each(FIGURE_DOCUMENTS)('%s quotes bench/results/ as npm run bench:figures writes it', async (document) => {
    const text = await readFile(join(root, document), 'utf8');
    expect(text, 'run npm run bench:figures after a benchmark').toBe(
      withFigures(document, text, await readFigureSources()),
    );
  });

  it('follows the results files: another run, other figures', async () => {
    const sources = await readFigureSources();
    const text = await readFile(join(root, 'bench/README.md'), 'utf8');
    const changed = withFigures('bench/README.md', text, { ...sources, load: { ...sources.load, calls: 12_345 } });
    expect(changed).not.toBe(text);
    expect(changed).toContain('12,345 calls, 0 errors');
  });

  it('refuses a document without its block', () => {
    expect(() => withFigures('README.md', 'no markers here', {} as never)).toThrow(
      'README.md has no <!-- figures:readme --> … <!-- /figures:readme --> block',
    );
  });
});
