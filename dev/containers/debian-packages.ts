/**
 * Debian packages the real-container mode needs on the machine (the engine, debootstrap for the
 * base image, the loopback registry), installed with apt only where they are missing. Nothing is
 * downloaded any other way.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The packages and why: each provides a program the engine or the base image needs. */
export const ENGINE_PACKAGES: Readonly<Record<string, string>> = {
  'docker.io': 'dockerd, containerd, runc and docker-proxy: the engine',
  debootstrap: 'the Debian base of the local image',
  'docker-registry': 'a loopback registry that gives the local base image a real digest',
  iproute2: 'the ip command, to create the engine’s own bridge',
};

/**
 * The named packages that dpkg does not report as installed.
 *
 * @example
 * ```ts
 * await missingPackages(Object.keys(ENGINE_PACKAGES)); // [] on a prepared machine
 * ```
 */
export async function missingPackages(names: readonly string[]): Promise<string[]> {
  const missing: string[] = [];
  for (const name of names) {
    try {
      const { stdout } = await run('dpkg-query', ['-W', '-f=${Status}', name]);
      if (!stdout.includes('install ok installed')) missing.push(name);
    } catch {
      missing.push(name);
    }
  }
  return missing;
}

/**
 * Installs the missing ones with apt-get (as root). Returns what it installed; throws with apt's
 * last lines when the installation fails.
 *
 * @example
 * ```ts
 * const installed = await installMissingPackages(Object.keys(ENGINE_PACKAGES), console.log);
 * ```
 */
export async function installMissingPackages(names: readonly string[], log: (line: string) => void): Promise<string[]> {
  const missing = await missingPackages(names);
  if (missing.length === 0) return [];
  log(`installing Debian packages: ${missing.join(', ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  try {
    await run('apt-get', ['update', '-qq'], { env, maxBuffer: 16 * 1024 * 1024 });
    await run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], {
      env,
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (error) {
    const { stderr } = error as { stderr?: string };
    throw new Error(
      `apt-get could not install ${missing.join(', ')}: ${(stderr ?? '').trim().split('\n').slice(-3).join(' ')}`,
      {
        cause: error,
      },
    );
  }
  return missing;
}
