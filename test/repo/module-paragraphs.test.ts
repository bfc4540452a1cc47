/**
 * Every module opens with a short paragraph saying why it exists (the house style, after `jose`
 * and `workers-oauth-provider`): the first thing in each tracked source file that is not a test,
 * a type declaration or a fixture is a comment of a sentence or more, before any import or code.
 * A reader who opens a file learns its reason before its lines.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '../..');

/**
 * Modules of branches that were open when this check came in; their paragraphs are written when
 * those branches merge. Remove each entry as its file gets one: an entry whose file has a
 * paragraph (or is gone) fails the test, so the list only ever shrinks.
 */
const AWAITING_PARAGRAPH = new Set<string>([]);

/** Tracked modules that are neither tests, type declarations nor fixtures. */
async function modules(): Promise<string[]> {
  const { stdout } = await run('git', ['ls-files', '-z', '--', '*.ts', '*.mts', '*.cts', '*.js', '*.mjs', '*.cjs'], {
    cwd: root,
  });
  return stdout
    .split('\0')
    .filter(Boolean)
    .filter((file) => !/\.d\.[cm]?ts$/.test(file))
    .filter((file) => !/\.test\.[cm]?[jt]s$/.test(file))
    .filter((file) => !file.split('/').includes('fixtures'));
}

/**
 * The words of the comment a file opens with (after a `#!` line), or none when code or an import
 * comes first. Tool directives (`// @ts-…`, `/* oxlint-disable … *\/`) are not a paragraph.
 *
 * @example
 * ```ts
 * openingWords('/**\n * Why this exists.\n *\/\nimport x from "x";'); // ['Why', 'this', 'exists.']
 * ```
 */
function openingWords(text: string): string[] {
  const body = text.replace(/^#!.*\n/, '').trimStart();
  const comment = /^\/\*[\s\S]*?\*\//.exec(body)?.[0] ?? /^(?:\/\/.*(?:\n|$)\s*)+/.exec(body)?.[0] ?? '';
  const words = comment
    .replace(/^\/\*+|\*\/$/g, '')
    .replace(/^\s*(?:\*|\/\/)/gm, '')
    .split(/\s+/)
    .filter(Boolean);
  return /^(?:@ts-|eslint|oxlint|prettier|biome)/.test(words[0] ?? '') ? [] : words;
}

describe('module paragraphs', () => {
  it('every module opens with a paragraph saying why it exists', async () => {
    const files = await modules();
    expect(files.length).toBeGreaterThan(250);
    const missing: string[] = [];
    for (const file of files) {
      if (openingWords(await readFile(resolve(root, file), 'utf8')).length < 6) missing.push(file);
    }
    expect(
      missing.filter((file) => !AWAITING_PARAGRAPH.has(file)),
      'modules whose first lines are not a comment of a sentence or more',
    ).toEqual([]);
    expect(
      [...AWAITING_PARAGRAPH].filter((file) => !missing.includes(file)),
      'allow-list entries that have a paragraph now (or are gone): remove them',
    ).toEqual([]);
  });

  it('tells a paragraph from code, an import and a tool directive', () => {
    expect(openingWords('/**\n * The Worker signs people in through Access.\n */\nexport {};\n')).toHaveLength(7);
    expect(openingWords('#!/usr/bin/env node\n// Runs the pinned Node, then the given npm script.\n')).toHaveLength(9);
    expect(openingWords("import { x } from './x.ts';\n/** Too late. */\n")).toEqual([]);
    expect(openingWords('export const a = 1;\n')).toEqual([]);
    expect(openingWords('// @ts-nocheck because the generated file is untyped\n')).toEqual([]);
  });
});
