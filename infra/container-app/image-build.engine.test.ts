/**
 * The bridge image builds from the program's own settings, with a real Docker engine: the
 * context, Dockerfile, build arguments and ignore file the program hands `@pulumi/docker`
 * (resolved as from `infra/`, where Pulumi runs the program), sent the way `@pulumi/docker`
 * sends them (a context filtered by that ignore file, the Dockerfile inside it). The image then
 * runs, and its bridge answers `/healthz`.
 *
 * Two local differences, both for this machine only: the base image is the project's local one
 * (`containerBaseImage` = a loopback registry's `…@sha256:`, as a stack would set the real one),
 * and the build runs with `--network host` and the machine's extra CA certificates
 * (`NPM_EXTRA_CA_CERTS`), because the engine here has no route out and TLS is intercepted.
 *
 * It runs in the `containers` project, whose global setup (test/containers/engine-setup.ts)
 * starts or reuses the project's Docker engine and makes the base image: without an engine it
 * is skipped with a one-line notice, except under `CI=true`, where that is a failure.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { containerEngine, skipsWithoutEngine } from '../../test/containers/container-engine.ts';
import { type RegisteredResource, startMockedStack, TYPES } from '../pulumi-test-mocks.ts';
import { contextFiles, ignoreFileOf } from './build-context.ts';

vi.mock('../../container/build.ts', async (importOriginal) => importOriginal());

const infra = fileURLToPath(new URL('..', import.meta.url));

interface Engine {
  dockerHost: string;
  baseImage: string;
  buildCaFile?: string;
}

/** Runs `docker`, feeding `input` (a stream's producer) when given; resolves to stdout. */
async function docker(engine: Engine, args: string[], stdin?: NodeJS.ReadableStream): Promise<string> {
  const child = spawn('docker', args, {
    env: { ...process.env, DOCKER_HOST: engine.dockerHost, DOCKER_BUILDKIT: '0' },
    stdio: [stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
  });
  if (stdin) stdin.pipe(child.stdin!);
  let output = '';
  let errors = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  const code = await new Promise<number | null>((done) => child.on('close', done));
  if (code !== 0) throw new Error(`docker ${args[0]} failed (${code}):\n${errors}\n${output.slice(-4000)}`);
  return output;
}

/** Resolves when the container's log has a line containing `text`; rejects if the container stops first. */
async function untilLogLine(engine: Engine, container: string, text: string): Promise<void> {
  const logs = spawn('docker', ['logs', '--follow', container], {
    env: { ...process.env, DOCKER_HOST: engine.dockerHost },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let seen = '';
  try {
    await new Promise<void>((done, fail) => {
      const read = (chunk: Buffer) => {
        seen += chunk.toString();
        if (seen.includes(text)) done();
      };
      logs.stdout.on('data', read);
      logs.stderr.on('data', read);
      logs.on('close', () => fail(new Error(`the container stopped before "${text}":\n${seen}`)));
    });
  } finally {
    logs.kill();
  }
}

describe.skipIf(skipsWithoutEngine())('the bridge image, built from the program’s own settings', () => {
  const tag = `secure-mcp-bridge-build-test:${randomBytes(4).toString('hex')}`;
  let build: { context: string; dockerfile: string; args: Record<string, string>; platform: string };
  let container: string | undefined;
  let engine: Engine | undefined;

  beforeAll(async () => {
    engine = containerEngine();
    const { buildBridge } = await import('../../container/build.ts');
    await buildBridge();
    const mocked = await startMockedStack('prod', {
      accountId: '0123456789abcdef0123456789abcdef',
      accessTeamName: 'acme',
      workersDevSubdomain: 'acme-sub',
      identityProviderId: '5f0c8a4e-3d1b-4c6a-9e2f-7b8d9c0a1b2c',
      identityProviderType: 'okta',
      containerBaseImage: engine.baseImage,
    });
    vi.resetModules();
    await import('../index.ts');
    await mocked.settled();
    const [image] = mocked.resourcesOfType(TYPES.dockerImage) as [RegisteredResource];
    build = image.inputs.build as typeof build;
  });

  afterAll(async () => {
    if (!engine) return;
    if (container) await docker(engine, ['rm', '-f', container]).catch(() => undefined);
    await docker(engine, ['image', 'rm', '-f', tag]).catch(() => undefined);
  });

  it('builds with the context, Dockerfile, arguments and ignore file the program passes, and answers /healthz', async () => {
    // Resolved as @pulumi/docker resolves them, from infra/ (Pulumi's working directory with main: infra/).
    const context = resolve(infra, build.context);
    const dockerfile = resolve(infra, build.dockerfile);
    expect(build.platform).toBe('linux/amd64');
    expect(build.args).toMatchObject({ NODE_IMAGE_DIGEST: engine!.baseImage.split('@')[1] });
    const ignore = await ignoreFileOf({ context, dockerfile });
    expect(ignore.path).toBeDefined();
    const files = await contextFiles({ context, dockerfile });
    expect(files).toContain('container/dist/bridge.mjs');

    // The context as @pulumi/docker sends it: exactly these files, the Dockerfile named inside it.
    const tar = spawn('tar', ['-C', context, '-c', ...files], { stdio: ['ignore', 'pipe', 'inherit'] });
    const argFlags = Object.entries(build.args).flatMap(([name, value]) => ['--build-arg', `${name}=${value}`]);
    // This machine's extra CA for npm inside the build (container/Dockerfile's local-only argument).
    const localCa = engine!.buildCaFile
      ? ['--build-arg', `NPM_EXTRA_CA_CERTS=${await readFile(engine!.buildCaFile, 'utf8')}`]
      : [];
    await docker(
      engine!,
      [
        'build',
        '--network',
        'host',
        '-f',
        resolve(dockerfile).slice(context.length).replace(/^\//, ''),
        ...argFlags,
        ...localCa,
        '-t',
        tag,
        '-',
      ],
      tar.stdout,
    );

    const key = randomBytes(32).toString('base64');
    container = (
      await docker(engine!, [
        'run',
        '-d',
        '-p',
        '127.0.0.1::8080',
        '-e',
        `BRIDGE_IDENTITY_KEY=${key}`,
        '-e',
        'BRIDGE_IDENTITY_AUDIENCE=https://secure-mcp-prod-gateway.acme-sub.workers.dev/mcp',
        tag,
      ])
    ).trim();
    // The bridge says when it listens (its `bridge.listening` log line): that is the event to wait for.
    await untilLogLine(engine!, container, 'bridge.listening');
    const port = (await docker(engine!, ['port', container, '8080/tcp'])).trim().split('\n')[0]!.split(':').at(-1);
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok' });
    // A cold build (npm installing the server) takes minutes; the project's 180 s is for a running stack.
  }, 600_000);
});
