/**
 * The template shape's Worker as `wrangler deploy` would upload it: wrangler's own bundle
 * (`wrangler deploy --dry-run --outdir`, no account needed), which is what a user of Cloudflare's
 * template deploys. The production-like template row runs this file in workerd, as our row runs
 * `worker/build.ts`'s bundle.
 */
import { spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = join(dirname(fileURLToPath(import.meta.url)), '..', 'template-shape');
/** The template shape's wrangler config (its bindings, compatibility date and flags). */
export const TEMPLATE_CONFIG = join(here, 'wrangler.jsonc');
const wranglerBin = join(
  dirname(createRequire(import.meta.url).resolve('wrangler/package.json')),
  'bin',
  'wrangler.js',
);

/** The bundle made once per process (it is the same every time), copied for each use. */
let built: Promise<string> | undefined;

/**
 * Bundles the template shape with `wrangler deploy --dry-run` (once per process) into `outDir`
 * and returns the main module's path. `configHome` keeps wrangler's files out of the home directory.
 *
 * @example
 * ```ts
 * const main = await buildTemplateDeployBundle(join(stateDir, 'bundle'), join(stateDir, 'wrangler-config'));
 * ```
 */
export async function buildTemplateDeployBundle(outDir: string, configHome: string): Promise<string> {
  built ??= mkdtemp(join(tmpdir(), 'secure-mcp-template-bundle-')).then(async (folder) => {
    await wranglerDryRun(folder, configHome);
    return folder;
  });
  void built.catch(() => (built = undefined));
  await cp(await built, outDir, { recursive: true });
  return join(outDir, 'index.js');
}

async function wranglerDryRun(outDir: string, configHome: string): Promise<void> {
  await mkdir(configHome, { recursive: true });
  const output: string[] = [];
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [wranglerBin, 'deploy', '--dry-run', '--outdir', outDir, '--config', TEMPLATE_CONFIG],
      {
        cwd: here,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {
          ...process.env,
          CLOUDFLARE_CF_FETCH_ENABLED: 'false',
          WRANGLER_SEND_METRICS: 'false',
          XDG_CONFIG_HOME: configHome,
          FORCE_COLOR: '0',
        },
      },
    );
    child.stdout.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.once('error', reject);
    child.once('exit', resolve);
  });
  if (code !== 0)
    throw new Error(
      `wrangler deploy --dry-run of the template shape failed (${code}):\n${output.join('').slice(-2000)}`,
    );
}
