import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { SourceMapPayload } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CpuProfile } from './isolate-cpu.ts';
import { cpuByPart, partOfSource } from './profile-categories.ts';

describe('partOfSource', () => {
  it('names the part of the Worker, a library or the template a source file belongs to', () => {
    expect(partOfSource('../../node_modules/@cloudflare/workers-oauth-provider/dist/oauth-provider.js')).toMatch(
      /^sign-in: OAuth provider library/,
    );
    expect(partOfSource('../src/mcp/gate/policy-gate.ts')).toBe('policy gate');
    expect(partOfSource('../src/mcp/gate/audit-record.ts')).toBe('audit record');
    expect(partOfSource('../../policies/engine/evaluate.ts')).toBe('policy gate');
    expect(partOfSource('../src/mcp/upstream.ts')).toBe('forward: upstream request and identity token');
    expect(partOfSource('../../container/src/identity-token.ts')).toBe('forward: upstream request and identity token');
    expect(partOfSource('../src/access/token-record-cache.ts')).toBe(
      "sign-in: the Worker's checks and token-record cache",
    );
    expect(partOfSource('../../../../work/wt/x/node_modules/agents/dist/mcp/index.js')).toBe('agents (McpAgent)');
    expect(partOfSource('../../../../work/wt/x/bench/template-shape/index.ts')).toBe("the template shape's own code");
  });
});

describe('cpuByPart', () => {
  let folder: string;
  let bundle: string;
  let map: SourceMapPayload;

  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'secure-mcp-parts-'));
    const files: Record<string, string> = {
      'src/index.js':
        "import { gate } from './mcp/gate/policy-gate.js';\nimport { unwrap } from 'lib';\nexport default function handle(x) { return gate(unwrap(x)); }\n",
      'src/mcp/gate/policy-gate.js': 'export function gate(x) {\n  return JSON.parse(x);\n}\n',
      'node_modules/@cloudflare/workers-oauth-provider/index.js':
        'export function unwrap(x) {\n  return String(x);\n}\n',
    };
    for (const [path, text] of Object.entries(files)) {
      await mkdir(dirname(join(folder, path)), { recursive: true });
      await writeFile(join(folder, path), text);
    }
    const result = await build({
      entryPoints: [join(folder, 'src/index.js')],
      outfile: join(folder, 'dist/index.js'),
      bundle: true,
      format: 'esm',
      write: false,
      sourcemap: 'external',
      alias: { lib: join(folder, 'node_modules/@cloudflare/workers-oauth-provider/index.js') },
    });
    bundle = result.outputFiles.find((file) => file.path.endsWith('index.js'))!.text;
    map = JSON.parse(result.outputFiles.find((file) => file.path.endsWith('.map'))!.text) as SourceMapPayload;
  });

  afterAll(() => rm(folder, { recursive: true, force: true }));

  /** Where `function <name>(` starts in the bundle, as a profile frame gives it (0-based line and column). */
  function frame(name: string) {
    const at = bundle.indexOf(`function ${name}(`);
    const before = bundle.slice(0, at).split('\n');
    return {
      functionName: name,
      url: 'file:///bundle/index.js',
      lineNumber: before.length - 1,
      columnNumber: before.at(-1)!.length,
    };
  }

  it("charges each sample to the innermost bundle frame's part (a builtin it calls included), the rest to the runtime", () => {
    const node = (id: number, callFrame: CpuProfile['nodes'][number]['callFrame'], children: number[] = []) => ({
      id,
      callFrame,
      children,
    });
    const native = (functionName: string) => ({ functionName, url: '', lineNumber: -1, columnNumber: -1 });
    const profile: CpuProfile = {
      nodes: [
        node(1, native('(root)'), [2, 6, 7]),
        node(2, frame('handle'), [3, 5]),
        node(3, frame('gate'), [4]),
        node(4, native('parse')),
        node(5, frame('unwrap')),
        node(6, native('(garbage collector)')),
        node(7, native('(idle)')),
      ],
      startTime: 0,
      endTime: 0,
      // JSON.parse under gate ×3, unwrap ×1, the handler itself ×1, GC ×1, idle ×2.
      samples: [4, 4, 4, 5, 2, 6, 7, 7],
      timeDeltas: [],
    };
    const parts = cpuByPart(profile, 2, 400, { moduleName: 'index.js', map });
    const msOf = (part: string) => parts.find((share) => share.part === part)?.msPerCall;
    expect(msOf('policy gate')).toBeCloseTo((3 * 400) / 1000 / 2, 10);
    expect(msOf('sign-in: OAuth provider library (token lookup, key unwrap, decryption)')).toBeCloseTo(0.2, 10);
    expect(msOf('the Worker, other')).toBeCloseTo(0.2, 10);
    expect(msOf('runtime: garbage collection')).toBeCloseTo(0.2, 10);
    expect(parts.map((share) => share.part)).toHaveLength(4);
    expect(parts[0]!.part).toBe('policy gate');
  });
});
