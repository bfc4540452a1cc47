import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { copyShippedPolicies } from '../../test/support/shipped-policy-copies.ts';
import { checkCommand } from '../cli/check-command.ts';
import { POLICY_DIR } from './load-policies.ts';
import { parsePolicyText } from './parse-policy-text.ts';
import { toolsFileSchema } from './schemas.ts';

const fixtureDir = join(POLICY_DIR, 'fixtures', 'broken');
const scratch: string[] = [];
afterAll(() => scratch.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** A copy of the shipped policies with one file replaced by a broken fixture. */
function policiesWith(fixture: string): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'secure-mcp-policy-'));
  scratch.push(dir);
  copyShippedPolicies(dir);
  const role = fixture.split('.').at(-2)!;
  copyFileSync(join(fixtureDir, fixture), join(dir, `${role}.yaml`));
  return { dir, file: `${role}.yaml` };
}

describe('npm run policy -- check', () => {
  it('passes on the shipped policies and runs their tests', () => {
    const result = checkCommand(POLICY_DIR);
    expect(result.problems).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.output).toMatch(/policy tests passed/);
  });

  const fixtures = readdirSync(fixtureDir).filter((name) => name.endsWith('.yaml'));

  it('has at least ten broken fixtures', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(10);
  });

  // Each fixture's first line says where and what: "# expect <line>: <message fragment>".
  it.each(fixtures)('fails on %s with file, line and message', (fixture) => {
    const [, line, fragment] = /^# expect (\d+): (.*)$/m.exec(readFileSync(join(fixtureDir, fixture), 'utf8'))!;
    const { dir, file } = policiesWith(fixture);
    const result = checkCommand(dir);
    expect(result.ok).toBe(false);
    expect(
      result.problems.some(
        (problem) =>
          problem.file.endsWith(`/${file}`) && problem.line === Number(line) && problem.message.includes(fragment!),
      ),
    ).toBe(true);
    expect(result.output).toContain(`${file}:${line}:`);
  });
});

describe('parsePolicyText', () => {
  it('points an unknown key at the key itself, with the closest known key', () => {
    const parsed = parsePolicyText(
      'unlistedMethods: deny\nrules:\n  - name: a\n    effect: allow\n    who: [{ everyone: true }]\n    tols: [echo]\n',
      'tools.yaml',
      toolsFileSchema,
    );
    expect(parsed.problems).toContainEqual({
      file: 'tools.yaml',
      line: 6,
      column: 5,
      message: expect.stringContaining('unknown key "tols" in a tool rule (did you mean "tools"?)'),
    });
  });

  it('refuses duplicate keys, which YAML would otherwise resolve silently', () => {
    const parsed = parsePolicyText(
      'unlistedMethods: deny\nunlistedMethods: allow\nrules: []\n',
      'tools.yaml',
      toolsFileSchema,
    );
    expect(parsed.problems[0]).toMatchObject({ line: 2, message: expect.stringMatching(/^YAML: .*unique/i) });
  });
});
