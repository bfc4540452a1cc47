/**
 * Bundles the bridge CLI (`src/main.ts` and its dependencies) into one ES module for Node,
 * `container/dist/bridge.mjs`, which the Dockerfile copies into the image.
 *
 * Run: `tsx container/build.ts`, or import {@link buildBridge} (the infra program does before building the image).
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';

/** Where {@link buildBridge} writes the bundle unless told otherwise. */
export const BRIDGE_BUNDLE = join(import.meta.dirname, 'dist', 'bridge.mjs');

/** Builds the bridge bundle and resolves to its path. `outfile` defaults to {@link BRIDGE_BUNDLE}. */
export async function buildBridge(outfile: string = BRIDGE_BUNDLE): Promise<string> {
  await build({
    entryPoints: [join(import.meta.dirname, 'src', 'main.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    minify: false,
    sourcemap: false,
    logLevel: 'warning',
    // Some bundled dependencies are CommonJS and `require()` Node's built-ins, which an ES module
    // cannot do without a `require` of its own.
    banner: { js: "import { createRequire } from 'node:module';\nconst require = createRequire(import.meta.url);" },
  });
  return outfile;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(`bridge bundle: ${await buildBridge()}`);
}
