/**
 * Runs `wrangler dev` for one Worker through wrangler's own start-up API (`unstable_startWorker`,
 * the same dev environment the `wrangler dev` command builds: the same proxy, workerd, local
 * KV, build command and watcher), in a process of its own started by `wrangler-dev.ts`.
 *
 * Why not the `wrangler dev` command: it always attaches wrangler's DevTools inspector to the
 * Worker. While attached, every `console.log` of the Worker travels to wrangler's inspector
 * proxy, which reports each message to wrangler's Node process and keeps it in memory until a
 * DevTools window connects. The Worker writes one audit line per MCP message, so that cost
 * (about 1.5 ms per call here, `npm run bench:profile`) and that memory would be measured as the
 * gateway's own. Here the inspector is off unless `--inspector-port` asks for it.
 *
 * Flags: `--config`, `--ip`, `--port`, `--env-file`, `--persist-to`, `--log-level`, and
 * optionally `--inspector-port` and `--container-build-id <id>`, which runs the config's containers
 * for real (`dev.enableContainers`; the Docker engine, the `docker` wrangler runs and the sidecar
 * image come from the environment: `DOCKER_HOST`, `WRANGLER_DOCKER_BIN`,
 * `MINIFLARE_CONTAINER_EGRESS_IMAGE`; see dev/containers/). Prints wrangler's own output; on
 * SIGTERM or SIGINT stops the Worker and exits.
 */
import { parseArgs } from 'node:util';
import { unstable_startWorker } from 'wrangler';

type LogLevel = 'none' | 'error' | 'warn' | 'info' | 'log' | 'debug';
const LOG_LEVELS: readonly LogLevel[] = ['none', 'error', 'warn', 'info', 'log', 'debug'];

const { values } = parseArgs({
  options: {
    config: { type: 'string' },
    ip: { type: 'string', default: 'localhost' },
    port: { type: 'string' },
    'env-file': { type: 'string' },
    'persist-to': { type: 'string' },
    'log-level': { type: 'string', default: 'warn' },
    'inspector-port': { type: 'string' },
    'container-build-id': { type: 'string' },
  },
  strict: true,
});

function fail(message: string): never {
  console.error(`wrangler-dev-host: ${message}`);
  process.exit(2);
}

const port = Number(values.port);
if (!values.config || !Number.isInteger(port) || port <= 0) fail('--config and --port are required');
const logLevel = values['log-level'] as LogLevel;
if (!LOG_LEVELS.includes(logLevel)) fail(`--log-level must be one of ${LOG_LEVELS.join(', ')}`);
const inspectorPort = values['inspector-port'] === undefined ? undefined : Number(values['inspector-port']);
const containerBuildId = values['container-build-id'];
if (containerBuildId !== undefined && !/^[a-z0-9][a-z0-9_.-]{0,63}$/.test(containerBuildId))
  fail('--container-build-id must be a Docker tag (lower-case letters, digits, ._-)');

const worker = await unstable_startWorker({
  config: values.config,
  envFiles: values['env-file'] ? [values['env-file']] : undefined,
  dev: {
    server: { hostname: values.ip, port },
    inspector: inspectorPort === undefined ? false : { hostname: '127.0.0.1', port: inspectorPort },
    persist: values['persist-to'] ?? false,
    logLevel,
    watch: true,
    // The image tag wrangler builds is cloudflare-dev/<class>:<build id> (`getDevContainerImageName`).
    ...(containerBuildId === undefined ? {} : { enableContainers: true, containerBuildId }),
  },
});
await worker.ready;

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await worker.dispose().catch(() => {});
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
