/**
 * Worker bundle sizes for the benchmark: ours with and without the native tools beside a Worker of
 * the Cloudflare template's shape, built the same way, because a bundle's size is paid at every
 * cold start and counted against the platform's limit.
 */
import { builtinModules } from 'node:module';
import { gzipSync } from 'node:zlib';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { buildWorker } from '../../worker/build.ts';

const templateEntry = join(dirname(fileURLToPath(import.meta.url)), '..', 'template-shape', 'index.ts');

/** Size of one Worker bundle. */
export interface BundleSize {
  kind: BundleKind;
  label: string;
  rawKiB: number;
  gzipKiB: number;
  /** Our bundles only: the minified code's largest parts (npm package or source folder), raw KiB. */
  largestParts?: { part: string; rawKiB: number }[];
}

/** Which bundle a size is of, for the targets. */
type BundleKind = 'proxy-only' | 'with-native-tools' | 'template-shape';

/**
 * Our Worker's bundle as `buildWorker()` makes it for deployment, without and with the native
 * tools, and a Worker of the Cloudflare template's shape (`bench/template-shape/`), bundled with
 * the same esbuild settings. Nothing is written to disk, so a running `wrangler dev` keeps its bundle.
 *
 * @example
 * ```ts
 * const sizes = await measureBundleSizes();
 * ```
 */
export async function measureBundleSizes(): Promise<BundleSize[]> {
  const proxyOnly = await buildWorker({ nativeTools: false, write: false });
  const withNative = await buildWorker({ nativeTools: true, write: false });
  return [
    {
      ...sizeOf('proxy-only', 'secure-mcp Worker, no native tools (worker/build.ts)', proxyOnly.code),
      largestParts: largest(proxyOnly),
    },
    {
      ...sizeOf('with-native-tools', 'secure-mcp Worker with native tools (worker/build.ts)', withNative.code),
      largestParts: largest(withNative),
    },
    sizeOf('template-shape', 'OAuthProvider + McpAgent (template shape)', await bundleTemplateShape()),
  ];
}

/**
 * The template-shape Worker bundled in memory. These settings mirror `worker/build.ts`
 * (which builds only our entry point); keep the two in step. One addition: `agents` imports
 * Node built-ins by bare name (`path`), which `nodejs_compat` provides at run time, as
 * wrangler would leave them out.
 */
async function bundleTemplateShape(): Promise<string> {
  const result = await build({
    write: false,
    entryPoints: [templateEntry],
    outfile: 'template-shape.js',
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2023',
    external: ['cloudflare:*', 'node:*', ...builtinModules],
    conditions: ['workerd', 'worker', 'browser'],
    mainFields: ['module', 'main'],
    minify: true,
    sourcemap: false,
    legalComments: 'none',
    logLevel: 'error',
  });
  return result.outputFiles[0]!.text;
}

function largest(bundle: Awaited<ReturnType<typeof buildWorker>>): BundleSize['largestParts'] {
  return bundle.parts.slice(0, 6).map(({ part, bytes }) => ({ part, rawKiB: Math.round((bytes / 1024) * 10) / 10 }));
}

function sizeOf(kind: BundleKind, label: string, code: string): BundleSize {
  const raw = Buffer.byteLength(code);
  const kib = (bytes: number) => Math.round((bytes / 1024) * 10) / 10;
  return { kind, label, rawKiB: kib(raw), gzipKiB: kib(gzipSync(code, { level: 9 }).length) };
}
