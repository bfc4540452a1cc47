/**
 * Vitest global setup of the `containers` project: starts (or reuses) the project's Docker engine,
 * makes the local base image and the egress sidecar stand-in (cached after the first run), and
 * serves the test stdio server's npm tarball on loopback, once for every file of the run. Stops
 * the engine again only if it started it.
 *
 * Without root or an engine (a developer's laptop) the tests skip with a one-line notice; under
 * `CI=true` that is a failure with the reason, and an engine that should start and does not is a
 * failure everywhere (test/containers/container-engine.ts turns both into failing tests).
 */
import { execFile } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import type { TestProject } from 'vitest/node';
import { writeBuildCaFile } from '../../dev/containers/build-ca-certs.ts';
import { engineBlocker, startEngine, type RunningEngine } from '../../dev/containers/engine.ts';
import { prepareLocalImages } from '../../dev/containers/local-images.ts';

const run = promisify(execFile);

/** What these tests cover, for the notice when they are left out. */
const LEFT_OUT = 'test/containers/, test/security/containers/, infra/**/*.engine.test.ts';

export default async function engineSetup(project: TestProject): Promise<() => Promise<void>> {
  const mustFail = process.env.CI === 'true' || process.env.CI === '1';
  const blocker = await engineBlocker();
  if (blocker) {
    project.provide('containers', { available: false, reason: blocker, mustFail });
    if (!mustFail) console.log(`real-container tests skipped: ${blocker}; left out: ${LEFT_OUT}`);
    return async () => {};
  }
  let engine: RunningEngine | undefined;
  let packageServer: { url: string; close(): Promise<void> } | undefined;
  try {
    const log = (line: string) => console.log(`[containers] ${line}`);
    engine = await startEngine({ log });
    const images = await prepareLocalImages(engine, { log });
    packageServer = await serveTestServerPackage();
    project.provide('containers', {
      available: true,
      dockerHost: engine.dockerHost,
      baseImage: images.baseImage.reference,
      egressImage: images.egressImage,
      buildCaFile: await writeBuildCaFile(join(engine.layout.stateDir, 'build-ca.pem')),
      testServerPackage: packageServer.url,
    });
  } catch (error) {
    project.provide('containers', {
      available: false,
      reason: `the Docker engine or its images could not be prepared: ${(error as Error).message}`,
      mustFail: true,
    });
  }
  return async () => {
    await packageServer?.close();
    await engine?.stop();
  };
}

/**
 * The test stdio server (test/containers/stdio-server) bundled into a package of its own, `npm pack`ed,
 * and served on 127.0.0.1 for the image build (`--network host`).
 */
async function serveTestServerPackage(): Promise<{ url: string; close(): Promise<void> }> {
  const folder = await mkdtemp(join(tmpdir(), 'secure-mcp-test-server-'));
  const source = join(import.meta.dirname, 'stdio-server');
  const packageDir = join(folder, 'package');
  const bundle = (entry: string, outfile: string, banner = '') =>
    build({
      entryPoints: [join(source, entry)],
      outfile: join(packageDir, outfile),
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node22',
      logLevel: 'warning',
      banner: { js: banner },
    });
  await bundle('server.ts', 'server.mjs', '#!/usr/bin/env node');
  await bundle('probe-cli.ts', 'probe-identity-key.mjs');
  await copyFile(join(source, 'package.json'), join(packageDir, 'package.json'));
  const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', folder, packageDir]);
  const [{ filename }] = JSON.parse(stdout) as [{ filename: string }];
  const server: Server = createServer((request, response) => {
    if (request.url !== `/${filename}`) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': 'application/octet-stream' });
    createReadStream(join(folder, filename)).pipe(response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/${filename}`,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(folder, { recursive: true, force: true });
    },
  };
}
