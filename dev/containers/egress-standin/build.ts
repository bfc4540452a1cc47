/**
 * Bundles the egress sidecar stand-in (`main.ts`) into one ES module for Node,
 * `dist/egress-standin.mjs`, which its Dockerfile copies into the image.
 */
import { join } from 'node:path';
import { build } from 'esbuild';

/** Where {@link buildEgressStandIn} writes the bundle. */
const EGRESS_STANDIN_BUNDLE = join(import.meta.dirname, 'dist', 'egress-standin.mjs');

/**
 * Builds the bundle and resolves to its path.
 *
 * @example
 * ```ts
 * await buildEgressStandIn(); // …/dev/containers/egress-standin/dist/egress-standin.mjs
 * ```
 */
export async function buildEgressStandIn(): Promise<string> {
  await build({
    entryPoints: [join(import.meta.dirname, 'main.ts')],
    outfile: EGRESS_STANDIN_BUNDLE,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    logLevel: 'warning',
  });
  return EGRESS_STANDIN_BUNDLE;
}
