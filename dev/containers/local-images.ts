/**
 * The images the real-container mode needs before `wrangler dev` starts: the local base image
 * (`base-image.ts`) and the network sidecar stand-in (`egress-standin/`), which replaces
 * `cloudflare/proxy-everything` from Docker Hub. The bridge image itself is built by wrangler from
 * `container/Dockerfile`, through `docker-for-wrangler`.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dockerCli, ensureBaseImage, type BaseImage } from './base-image.ts';
import type { RunningEngine } from './engine.ts';
import { buildEgressStandIn } from './egress-standin/build.ts';

const here = dirname(fileURLToPath(import.meta.url));

/** The images of the real-container mode. */
export interface LocalImages {
  baseImage: BaseImage;
  /** Tag of the egress sidecar stand-in, for `MINIFLARE_CONTAINER_EGRESS_IMAGE`. */
  egressImage: string;
}

/**
 * Makes (or finds, cached) the base image and the egress stand-in image in `engine`.
 *
 * @example
 * ```ts
 * const { baseImage, egressImage } = await prepareLocalImages(engine, { log: console.log });
 * ```
 */
export async function prepareLocalImages(
  engine: RunningEngine,
  options: { log?: (line: string) => void } = {},
): Promise<LocalImages> {
  const log = options.log ?? (() => {});
  const baseImage = await ensureBaseImage(engine, { log });
  const egressImage = await ensureEgressImage(engine, baseImage, log);
  return { baseImage, egressImage };
}

async function ensureEgressImage(engine: RunningEngine, base: BaseImage, log: (line: string) => void): Promise<string> {
  const context = join(here, 'egress-standin');
  const bundle = await buildEgressStandIn();
  const dockerfile = join(context, 'Dockerfile');
  const key = createHash('sha256')
    // The digest, not the reference: the registry's port may change between engine starts.
    .update(base.digest)
    .update(await readFile(dockerfile))
    .update(await readFile(bundle))
    .digest('hex')
    .slice(0, 16);
  const tag = `secure-mcp-egress-standin:${key}`;
  try {
    await dockerCli(engine, ['image', 'inspect', '--format', '{{.Id}}', tag]);
    return tag;
  } catch {
    // not built yet
  }
  log(`building the egress sidecar stand-in ${tag}`);
  await dockerCli(engine, [
    'build',
    // Its RUN step installs iptables with apt; the engine's own networks have no route out.
    '--network',
    'host',
    '--build-arg',
    `NODE_IMAGE=${base.image}`,
    '--build-arg',
    `NODE_IMAGE_DIGEST=${base.digest}`,
    '-t',
    tag,
    '-f',
    dockerfile,
    context,
  ]);
  return tag;
}
