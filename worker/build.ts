/**
 * Builds the Worker bundle with esbuild: one ES module, `worker/dist/index.js`.
 *
 * The same build serves three callers, so what runs locally is what deploys:
 * `wrangler dev` (through the `build` block of `worker/wrangler.jsonc`), the Pulumi
 * program in `infra/` (which uploads `code` and keys updates on `sha256`), and the
 * bundle-size benchmark.
 *
 * @example
 * ```ts
 * const bundle = await buildWorker();
 * console.log(bundle.path, bundle.code.length, bundle.sha256);
 * ```
 */
import { createHash } from 'node:crypto';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { esbuildPolicyPlugin } from '../policies/build/policy-plugins.ts';

const workerDir = dirname(fileURLToPath(import.meta.url));

export interface WorkerBundle {
  /** Absolute path of the bundle on disk. */
  path: string;
  /** The bundle's source text. */
  code: string;
  /** Hex SHA-256 of `code`: a change in the bundle is a change in this. */
  sha256: string;
  /** The bundle's source map (JSON), when asked for; `code` is the same with or without it. */
  sourceMap?: string;
  /** The module name Cloudflare runs (`main_module`). */
  mainModule: string;
  /** Bytes of the minified code by where they come from (an npm package, or our folder), largest first. */
  parts: { part: string; bytes: number }[];
}

export interface BuildOptions {
  minify?: boolean;
  /**
   * Build in the native tools (`worker/src/native/`, served at `/mcp/native`) with their
   * libraries. `false` gives the proxy-only bundle. Default: on, unless the environment
   * says `SECURE_MCP_NATIVE_TOOLS=off`.
   */
  nativeTools?: boolean;
  /** Write the bundle to `worker/dist/` (default). `false` only returns it: a size measurement must not change what a running `wrangler dev` serves. */
  write?: boolean;
  /** Also return a source map (not linked from the code, so the code is what deploys); for CPU profiles. */
  sourceMap?: boolean;
}

export async function buildWorker(options: BuildOptions = {}): Promise<WorkerBundle> {
  const nativeTools = options.nativeTools ?? process.env.SECURE_MCP_NATIVE_TOOLS !== 'off';
  const mainModule = 'index.js';
  const outfile = join(workerDir, 'dist', mainModule);
  const result = await build({
    write: false,
    entryPoints: [join(workerDir, 'src', 'index.ts')],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2023',
    // Workers resolve these at run time (nodejs_compat and the runtime's own modules).
    external: ['cloudflare:*', 'node:*'],
    conditions: ['workerd', 'worker', 'browser'],
    // policies/tools.yaml is checked and built in as data: the Worker has no filesystem.
    plugins: [esbuildPolicyPlugin()],
    mainFields: ['module', 'main'],
    // A constant the bundler folds: with `false`, the native tools' import is dead code and left out.
    define: { 'globalThis.__SECURE_MCP_NATIVE_TOOLS__': String(nativeTools) },
    minify: options.minify ?? true,
    sourcemap: options.sourceMap ? 'external' : false,
    legalComments: 'none',
    logLevel: 'warning',
    metafile: true,
  });
  const code = result.outputFiles.find((file) => file.path === outfile)!.text;
  const sourceMap = result.outputFiles.find((file) => file.path === `${outfile}.map`)?.text;
  if (options.write !== false) {
    // Write then rename, so wrangler's watcher or a deploy never reads a half-written bundle.
    await mkdir(dirname(outfile), { recursive: true });
    const partial = `${outfile}.${process.pid}.tmp`;
    await writeFile(partial, code);
    await rename(partial, outfile);
  }
  return {
    path: outfile,
    code,
    sha256: createHash('sha256').update(code).digest('hex'),
    mainModule,
    parts: partsOf(
      Object.entries(result.metafile.outputs).find(([output]) => output.endsWith(mainModule))?.[1].inputs ?? {},
    ),
    ...(sourceMap === undefined ? {} : { sourceMap }),
  };
}

/** `worker/src/mcp/gate/x.ts` → `worker/src/mcp`; `policies/engine/x.ts` → `policies/engine`. */
function ourPart(path: string): string {
  return path
    .split('/')
    .slice(0, path.startsWith('worker/src/') ? 3 : 2)
    .join('/');
}

/** The output's bytes grouped by npm package, or by the first folders of our own sources. */
function partsOf(inputs: Record<string, { bytesInOutput: number }>): WorkerBundle['parts'] {
  const bytes = new Map<string, number>();
  for (const [file, { bytesInOutput }] of Object.entries(inputs)) {
    const part = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file)?.[1] ?? ourPart(file.replace(/^(\.\.\/)+/, ''));
    bytes.set(part, (bytes.get(part) ?? 0) + bytesInOutput);
  }
  return [...bytes].map(([part, size]) => ({ part, bytes: size })).sort((a, b) => b.bytes - a.bytes);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const bundle = await buildWorker();
  console.log(`worker bundle: ${bundle.path} (${(bundle.code.length / 1024).toFixed(1)} KiB)`);
}
