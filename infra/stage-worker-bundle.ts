/**
 * Gives each Worker build a file of its own, named by its content, so the bundle a deployment
 * planned stays on disk unchanged until the upload reads it, whatever builds run meanwhile.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { WorkerBundle } from '../worker/build.ts';

/**
 * Copies the bundle to a path named by its SHA-256 (`worker/dist/upload/<sha256>/index.js`) and
 * returns the bundle with that path. The upload reads the file and refuses it unless its SHA-256
 * is the one the run planned (`bundleSha256`, which is also what the provider compares); a path
 * per content keeps another build from overwriting the planned file in between.
 *
 * @example
 * ```ts
 * const bundle = await stageWorkerBundle(await buildWorker());
 * bundle.path; // '/…/worker/dist/upload/3f2a…/index.js'
 * ```
 */
export async function stageWorkerBundle(bundle: WorkerBundle): Promise<WorkerBundle> {
  const directory = join(dirname(bundle.path), 'upload', bundle.sha256);
  const path = join(directory, bundle.mainModule);
  await mkdir(directory, { recursive: true });
  await writeFile(path, bundle.code);
  return { ...bundle, path };
}
