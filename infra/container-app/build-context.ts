/**
 * The bridge image's build inputs as `@pulumi/docker` 5.2 sees them, and one digest of them.
 *
 * `@pulumi/docker`'s `Image` (provider/provider.go `Check`, provider/image.go) resolves a
 * relative `dockerfile` against its own working directory (with `main: infra/` in Pulumi.yaml
 * that is `infra/`), reads the ignore file `<dockerfile>.dockerignore`, else
 * `<context>/.dockerignore`, and sends the context filtered by it (Docker's pattern rules)
 * with the Dockerfile added back. The program passes absolute paths, so nothing depends on
 * the working directory; this module finds the same ignore file and the same files, so that
 * a test can build exactly what `pulumi up` builds, and so that `RegistryCredentials` asks
 * for fresh credentials exactly when the image is built anew.
 */
import { createHash } from 'node:crypto';
import { lstat, readdir, readFile } from 'node:fs/promises';
import { isAbsolute, join, relative, sep } from 'node:path';
import dockerignore from '@balena/dockerignore';

/** The build as the program passes it to `docker.Image` (`build`). */
export interface ImageBuildInputs {
  /** Absolute path of the build context. */
  context: string;
  /** Absolute path of the Dockerfile. */
  dockerfile: string;
  platform: string;
  args: Record<string, string>;
}

/** The ignore file `@pulumi/docker` uses for a build, and its patterns (none when there is no file). */
export interface IgnoreFile {
  path: string | undefined;
  patterns: string[];
}

/**
 * The ignore file of a build, with `@pulumi/docker`'s precedence (`getIgnorePatterns`).
 *
 * @example
 * ```ts
 * await ignoreFileOf(build); // { path: '/repo/container/Dockerfile.dockerignore', patterns: ['*', '!container/dist/bridge.mjs'] }
 * ```
 */
export async function ignoreFileOf(build: Pick<ImageBuildInputs, 'context' | 'dockerfile'>): Promise<IgnoreFile> {
  for (const path of [`${build.dockerfile}.dockerignore`, join(build.context, '.dockerignore')]) {
    const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw error;
    });
    if (text === undefined) continue;
    const patterns = text
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith('#'));
    return { path, patterns };
  }
  return { path: undefined, patterns: [] };
}

/**
 * The files of the context that the build sends (paths relative to the context, `/`-separated,
 * sorted), the Dockerfile and the ignore file included as Docker adds them back.
 *
 * @example
 * ```ts
 * await contextFiles(build); // ['container/Dockerfile', 'container/Dockerfile.dockerignore', 'container/dist/bridge.mjs']
 * ```
 */
export async function contextFiles(build: Pick<ImageBuildInputs, 'context' | 'dockerfile'>): Promise<string[]> {
  assertAbsolute(build);
  const { patterns } = await ignoreFileOf(build);
  const ignore = dockerignore().add(patterns);
  // Directories an exception (`!dir/file`) reaches into are walked even when a pattern excludes them.
  const exceptionPrefixes = patterns
    .filter((pattern) => pattern.startsWith('!'))
    .map((pattern) => pattern.slice(1).replace(/^\/+/, '').split(/[*?[]/)[0] ?? '');
  const files: string[] = [];
  const walk = async (directory: string): Promise<void> => {
    for (const entry of await readdir(join(build.context, directory), { withFileTypes: true })) {
      const path = directory ? `${directory}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        const reachable = exceptionPrefixes.some((prefix) => prefix.startsWith(`${path}/`) || path.startsWith(prefix));
        if (!ignore.ignores(path) || reachable) await walk(path);
      } else if (!ignore.ignores(path)) files.push(path);
    }
  };
  await walk('');
  // Docker un-ignores the Dockerfile and the ignore file so the builder can read them (TrimBuildFilesFromExcludes).
  for (const path of [build.dockerfile, `${build.dockerfile}.dockerignore`]) {
    const inside = relative(build.context, path).split(sep).join('/');
    if (!inside.startsWith('../') && !files.includes(inside) && (await exists(path))) files.push(inside);
  }
  return files.sort();
}

/**
 * One SHA-256 over everything the image is built from: the Dockerfile, each file the context
 * sends (path and content), the build arguments and the platform. Changes exactly when
 * `@pulumi/docker`'s own context digest or build inputs change.
 *
 * @example
 * ```ts
 * const digest = await buildInputsDigest(build); // 'sha256:3f2a…'
 * ```
 */
export async function buildInputsDigest(build: ImageBuildInputs): Promise<string> {
  const hash = createHash('sha256');
  hash.update(await readFile(build.dockerfile));
  for (const path of await contextFiles(build)) {
    hash.update(`\0${path}\0`);
    hash.update(await readFile(join(build.context, path)));
  }
  const args = Object.entries(build.args).sort(([left], [right]) => (left < right ? -1 : 1));
  hash.update(`\0${JSON.stringify({ platform: build.platform, args })}`);
  return `sha256:${hash.digest('hex')}`;
}

function assertAbsolute(build: Pick<ImageBuildInputs, 'context' | 'dockerfile'>): void {
  if (!isAbsolute(build.context) || !isAbsolute(build.dockerfile)) {
    throw new Error(
      `The image build needs absolute paths (got context ${build.context}, dockerfile ${build.dockerfile}): ` +
        'with main: infra/ Pulumi runs the program in infra/, and @pulumi/docker would resolve relative ones from there.',
    );
  }
}

async function exists(path: string): Promise<boolean> {
  return lstat(path).then(
    () => true,
    () => false,
  );
}
