/**
 * Records the requests the real `wrangler deploy` (the pinned 4.164) makes for this project's
 * Worker, with its Durable Object class, container and bindings, against the loopback fake of
 * Cloudflare's API (`CLOUDFLARE_API_BASE_URL`) and a loopback registry (Debian's
 * `docker-registry`, `CLOUDFLARE_CONTAINER_REGISTRY`), with a real Docker engine building and
 * pushing the real image. Two deploys: the first (upload with migrations and containers,
 * namespace lookup, image push, application create), then one with new code and a new
 * `max_instances` (upload without migrations, `PATCH` and rollout). The result,
 * `wrangler-deploy.recording.json`, is the evidence the replay test holds the program to.
 *
 * Regenerate (needs the project's Docker engine and its local base image; dev/README.md):
 *
 *   export SECURE_MCP_DOCKER_DIR=/path/to/.docker   # the engine's folder
 *   eval "$(npm run -s engine -- env)"
 *   SECURE_MCP_BASE_IMAGE="$(npm run -s engine -- images | awk '/^base image/ {print $3}')" npm run infra:record-deploy
 *
 * Environment: `DOCKER_HOST` (the engine), `SECURE_MCP_BASE_IMAGE` (`<image>@sha256:…`, the
 * Dockerfile's base), optional `SECURE_MCP_BUILD_CA_FILE` (extra CA certificates npm needs
 * inside the build here; default `$SECURE_MCP_DOCKER_DIR/build-ca.pem` when present).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { buildBridge } from '../../container/build.ts';
import { findFreePort } from '../../dev/stack/ports.ts';
import { buildWorker } from '../../worker/build.ts';
import { type FakeCloudflareApi, startFakeCloudflareApi } from './fake-cloudflare-api.ts';
import { normalizeRecording, RECORDED_NAMES, type Recording } from './recording.ts';

const repositoryRoot = fileURLToPath(new URL('../..', import.meta.url));
const RECORDING = fileURLToPath(new URL('./wrangler-deploy.recording.json', import.meta.url));
const API_TOKEN = 'recording-token';

/** Runs a command to its end; rejects with its output when it fails. */
async function run(command: string, args: string[], env: NodeJS.ProcessEnv, cwd = repositoryRoot): Promise<string> {
  const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (code !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${code}:\n${output}`);
  return output;
}

/** Debian's docker-registry on a free loopback port, storing under `folder`. */
async function startRegistry(folder: string): Promise<{ address: string; stop: () => void }> {
  const port = await findFreePort();
  const config = join(folder, 'registry.yml');
  await writeFile(
    config,
    [
      'version: 0.1',
      'log: { level: error }',
      `storage: { filesystem: { rootdirectory: ${join(folder, 'registry')} }, delete: { enabled: true } }`,
      `http: { addr: 127.0.0.1:${port} }`,
      '',
    ].join('\n'),
  );
  const registry = spawn('docker-registry', ['serve', config], { stdio: 'ignore' });
  const address = `127.0.0.1:${port}`;
  for (let attempt = 0; ; attempt += 1) {
    const ready = await fetch(`http://${address}/v2/`).then(
      (answer) => answer.ok,
      () => false,
    );
    if (ready) break;
    if (attempt > 100 || registry.exitCode !== null) throw new Error('docker-registry did not start');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { address, stop: () => registry.kill() };
}

/**
 * The Worker's compatibility settings, Durable Object classes and their migrations, as
 * `worker/wrangler.jsonc` declares them.
 */
interface WorkerDeclarations {
  compatibility_date: string;
  compatibility_flags: string[];
  durable_objects: { bindings: { name: string; class_name: string }[] };
  migrations: { tag: string; new_sqlite_classes: string[] }[];
}

/**
 * The compatibility settings and every Durable Object class of `worker/wrangler.jsonc` with its
 * migrations (tests hold them to the program's `COMPATIBILITY_*`, `DURABLE_OBJECT_MIGRATIONS` and
 * bindings), so a new flag or class reaches the recording.
 */
async function declarationsOfWorker(): Promise<WorkerDeclarations> {
  const path = join(repositoryRoot, 'worker', 'wrangler.jsonc');
  const parsed: { config?: Partial<WorkerDeclarations>; error?: ts.Diagnostic } = ts.parseConfigFileTextToJson(
    path,
    await readFile(path, 'utf8'),
  );
  const { config, error } = parsed;
  if (error) throw new Error(`${path} does not parse: ${ts.flattenDiagnosticMessageText(error.messageText, '\n')}`);
  const { compatibility_date, compatibility_flags, durable_objects, migrations } = config ?? {};
  if (!durable_objects?.bindings.length || !migrations?.length)
    throw new Error(`${path} declares no Durable Object bindings or migrations`);
  if (!compatibility_date || !compatibility_flags) throw new Error(`${path} declares no compatibility settings`);
  return { compatibility_date, compatibility_flags, durable_objects, migrations };
}

/** The wrangler configuration of the deploy: the Worker and container the program deploys for stack `recorded`. */
function wranglerConfig(bundle: string, maxInstances: number, declarations: WorkerDeclarations) {
  return {
    name: RECORDED_NAMES.script,
    main: bundle,
    no_bundle: true,
    workers_dev: true,
    kv_namespaces: [{ binding: 'OAUTH_KV', id: RECORDED_NAMES.kvNamespace }],
    // The plain-text settings the program binds for this stack (the secrets are set apart, as wrangler does).
    vars: {
      PUBLIC_URL: `https://${RECORDED_NAMES.script}.fake-subdomain.workers.dev`,
      DEFINITION_DRIFT: 'hide',
      ACCESS_GROUPS_FIELD: 'name',
      ACCESS_NONCE: 'required',
    },
    ...declarations,
    containers: [
      {
        name: RECORDED_NAMES.application,
        class_name: 'McpContainer',
        image: join(repositoryRoot, 'container', 'Dockerfile'),
        image_build_context: repositoryRoot,
        instance_type: 'standard-1',
        max_instances: maxInstances,
      },
    ],
    observability: { enabled: true },
  };
}

async function deploy(
  folder: string,
  name: string,
  config: object,
  env: NodeJS.ProcessEnv,
  api: FakeCloudflareApi,
): Promise<Recording['deploys'][number]> {
  const path = join(folder, `${name}.wrangler.json`);
  await writeFile(path, JSON.stringify(config, null, 2));
  const first = api.requests.length;
  const wrangler = join(repositoryRoot, 'node_modules', 'wrangler', 'bin', 'wrangler.js');
  const output = await run(process.execPath, [wrangler, 'deploy', '--config', path], env, folder);
  console.error(output);
  return { name, requests: api.requests.slice(first) };
}

async function main(): Promise<void> {
  const baseImage = process.env.SECURE_MCP_BASE_IMAGE;
  if (!process.env.DOCKER_HOST || !baseImage?.includes('@sha256:')) {
    throw new Error(
      'Recording needs the Docker engine and the local base image: set DOCKER_HOST and SECURE_MCP_BASE_IMAGE=<image>@sha256:… ' +
        '(infra/deploy-contract/record-wrangler-deploy.ts says how).',
    );
  }
  const caFile =
    process.env.SECURE_MCP_BUILD_CA_FILE ??
    [join(process.env.SECURE_MCP_DOCKER_DIR ?? '', 'build-ca.pem')].find((file) => existsSync(file));
  const folder = await mkdtemp(join(tmpdir(), 'record-deploy-'));
  const api = await startFakeCloudflareApi({ apiToken: API_TOKEN, externalAccountId: RECORDED_NAMES.externalAccount });
  const registry = await startRegistry(folder);
  try {
    const worker = await buildWorker();
    await buildBridge();
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      CI: 'true',
      CLOUDFLARE_API_BASE_URL: `${api.baseURL}/client/v4`,
      CLOUDFLARE_API_TOKEN: API_TOKEN,
      CLOUDFLARE_ACCOUNT_ID: RECORDED_NAMES.account,
      CLOUDFLARE_CONTAINER_REGISTRY: registry.address,
      CLOUDFLARE_CF_FETCH_ENABLED: 'false',
      WRANGLER_SEND_METRICS: 'false',
      XDG_CONFIG_HOME: join(folder, 'xdg'),
      WRANGLER_DOCKER_BIN: join(repositoryRoot, 'dev', 'containers', 'docker-for-wrangler'),
      SECURE_MCP_BASE_IMAGE: baseImage,
      ...(caFile ? { SECURE_MCP_BUILD_CA_FILE: caFile } : {}),
    };
    const declarations = await declarationsOfWorker();
    const first = await deploy(folder, 'first deploy', wranglerConfig(worker.path, 50, declarations), env, api);
    // New code (so a new upload) and a new max_instances (so a PATCH and a rollout).
    const changed = join(folder, 'index.js');
    await writeFile(changed, `${await readFile(worker.path, 'utf8')}\n// recorded: second deploy\n`);
    const second = await deploy(folder, 'second deploy', wranglerConfig(changed, 60, declarations), env, api);
    const wranglerVersion = (
      JSON.parse(await readFile(join(repositoryRoot, 'node_modules', 'wrangler', 'package.json'), 'utf8')) as {
        version: string;
      }
    ).version;
    const recording = normalizeRecording(
      {
        about:
          "Requests of the real `wrangler deploy` of this project's Worker (Durable Object class, container, bindings) against a loopback fake of the Cloudflare API and a loopback registry. Regenerate: see infra/deploy-contract/record-wrangler-deploy.ts.",
        wrangler: wranglerVersion,
        deploys: [first, second],
      },
      { api, registry: registry.address },
    );
    await writeFile(RECORDING, `${JSON.stringify(recording, null, 2)}\n`);
    // In the repository's format, so a regenerated file differs only where the requests do.
    await run(join(repositoryRoot, 'node_modules', '.bin', 'oxfmt'), [RECORDING], process.env);
    console.log(`Recorded ${first.requests.length} + ${second.requests.length} requests to ${RECORDING}`);
  } finally {
    registry.stop();
    await api.close();
    await rm(folder, { recursive: true, force: true });
  }
}

await main();
