import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { copyShippedPolicies } from '../../test/support/shipped-policy-copies.ts';
import { esbuildPolicyPlugin, vitePolicyPlugin } from './policy-plugins.ts';

const scratch = mkdtempSync(join(tmpdir(), 'secure-mcp-policy-build-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A project folder with the shipped policies (one file optionally replaced) and an entry that imports tools.yaml. */
function project(name: string, toolsYaml?: string): string {
  const dir = join(scratch, name);
  copyShippedPolicies(join(dir, 'policies'));
  if (toolsYaml !== undefined) writeFileSync(join(dir, 'policies', 'tools.yaml'), toolsYaml);
  writeFileSync(join(dir, 'entry.ts'), "import policies from './policies/tools.yaml';\nexport default policies;\n");
  return dir;
}

const bundle = (dir: string) =>
  build({
    entryPoints: [join(dir, 'entry.ts')],
    bundle: true,
    write: false,
    format: 'esm',
    logLevel: 'silent',
    plugins: [esbuildPolicyPlugin()],
  });

describe('the Worker build gets the checked tool policies as data', () => {
  it('bundles policies/tools.yaml as the checked rules', async () => {
    const result = await bundle(project('ok'));
    const code = result.outputFiles[0]!.text;
    expect(code).toContain('engineering-uses-everything');
    expect(code).toContain('unlistedMethods');
  });

  it('fails the build with file and line when the policy is broken', async () => {
    const broken =
      'unlistedMethods: deny\nrules:\n  - name: x\n    effect: allow\n    who: [{ group: support }]\n    tools: [ecoh]\n';
    await expect(bundle(project('broken', broken))).rejects.toThrow(
      /tools\.yaml:6:13: tool pattern "ecoh" matches no pinned tool/,
    );
  });

  it('gives Vite the same data, and leaves other files alone', () => {
    const dir = project('vite');
    const plugin = vitePolicyPlugin();
    const transformed = plugin.transform('', join(dir, 'policies', 'tools.yaml'));
    expect(transformed?.code).toMatch(/^export default \{"unlistedMethods":"deny","rules":\[/);
    expect(plugin.transform('', join(dir, 'entry.ts'))).toBeUndefined();
  });
});
