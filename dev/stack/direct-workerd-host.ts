/**
 * Runs one Worker bundle in workerd the way Cloudflare runs it, as near as this machine allows:
 * no `wrangler dev` proxy Worker in front of it, no DevTools inspector attached, requests
 * arriving on a socket of the Worker's own (Miniflare's `unsafeDirectSockets`, which also skips
 * Miniflare's entry Worker). Local KV and SQLite-backed Durable Objects are Miniflare's, as under
 * `wrangler dev`. Started by `direct-workerd.ts` in a process of its own.
 *
 * Why: `wrangler dev` costs any Worker about 2.6 ms and 2.5 ms of CPU per request before its code
 * runs (`npm run bench:profile`, stage 0): its proxy Worker in a second workerd, then the Worker's
 * own. Cloudflare has no such hop, so the benchmark's production-like rows run here.
 *
 * The bindings are those `wrangler dev` would give the Worker, read from its wrangler config by
 * wrangler's own `unstable_getMiniflareWorkerOptions`, plus the env file's settings and secrets.
 * With `--objects-apart`, the Durable Object classes run in an isolate of their own (a second
 * Worker of the same bundle that the first one's namespaces point at), as they do on Cloudflare,
 * where a Durable Object never shares the isolate of the Worker that calls it.
 *
 * Flags: `--config`, `--main` (the bundle's main module; every other `.js` file in its folder is
 * loaded as a module too), `--ip`, `--port`, `--env-file`,
 * `--persist-to`, `--log-level` (`warn` or `log`: `log` prints every `console.log` of the Worker,
 * the audit records), optionally `--inspector-port` (for a CPU profile), `--objects-apart` and
 * `--trace-sizes` (a tail Worker that sizes each invocation's trace event, reported as `traceSizesUrl`),
 * and `--container-build-id` with `--docker-host` and `--egress-image` to run the config's
 * containers for real from an image built beforehand (as `wrangler dev` does in its own way).
 * Prints one line `{"ready":{...}}` on stdout once the Worker listens; on SIGTERM, SIGINT or
 * the end of stdin, stops workerd and exits.
 */
import { readdir, readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { parseArgs, parseEnv } from 'node:util';
import { convertV4MiniflareOptions, Miniflare } from 'miniflare';
import { unstable_getMiniflareWorkerOptions } from 'wrangler';

const { values } = parseArgs({
  options: {
    config: { type: 'string' },
    main: { type: 'string' },
    ip: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string' },
    'env-file': { type: 'string' },
    'persist-to': { type: 'string' },
    'log-level': { type: 'string', default: 'warn' },
    'inspector-port': { type: 'string' },
    'objects-apart': { type: 'boolean', default: false },
    'trace-sizes': { type: 'boolean', default: false },
    'container-build-id': { type: 'string' },
    'docker-host': { type: 'string' },
    'egress-image': { type: 'string' },
  },
  strict: true,
});

function fail(message: string): never {
  console.error(`direct-workerd-host: ${message}`);
  process.exit(2);
}

const port = Number(values.port);
if (!values.config || !values.main || !Number.isInteger(port) || port <= 0)
  fail('--config, --main and --port are required');
const logLevel = values['log-level'];
if (logLevel !== 'warn' && logLevel !== 'log') fail('--log-level must be warn or log');
const inspectorPort = values['inspector-port'] === undefined ? undefined : Number(values['inspector-port']);

/** The Worker that serves requests; with `--objects-apart`, `OBJECTS` hosts its Durable Object classes. */
const WORKER = 'worker';
const OBJECTS = 'objects';
/**
 * With `--trace-sizes`: a tail Worker of both that counts each invocation's trace event and its size
 * as JSON (request metadata and headers, console lines, outcome: what Workers Logs ingests, less
 * Cloudflare's own enrichment), answering `{ events, bytes }` on a socket of its own.
 */
const TRACE_SIZES = 'trace-sizes';
const TRACE_SIZES_SCRIPT = `
let events = 0;
let bytes = 0;
const encoder = new TextEncoder();
export default {
  async tail(items) {
    for (const item of items) {
      events += 1;
      bytes += encoder.encode(JSON.stringify(item)).length;
    }
  },
  async fetch() {
    return Response.json({ events, bytes });
  },
};
`;

// With a container build id, the config's containers run for real: the image
// `cloudflare-dev/<class>:<id>` (built beforehand) in the Docker engine at `--docker-host`.
const containerBuildId = values['container-build-id'];
if (containerBuildId !== undefined && !values['docker-host'])
  fail('--container-build-id needs --docker-host (and --egress-image)');
const { workerOptions } = unstable_getMiniflareWorkerOptions(
  values.config,
  undefined,
  containerBuildId === undefined ? {} : { overrides: { enableContainers: true }, containerBuildId },
);
const settings = (values['env-file'] ? parseEnv(await readFile(values['env-file'], 'utf8')) : {}) as Record<
  string,
  string
>;
// ES modules only, as worker/build.ts and `wrangler deploy` make them: main first, then every other
// `.js` file beside it (a wrapper's main imports the bundle beside it); no module rules to apply.
const main = values.main;
const siblings = (await readdir(dirname(main)))
  .filter((name) => name.endsWith('.js') && name !== basename(main))
  .map((name) => join(dirname(main), name));
const shared = {
  ...workerOptions,
  modulesRules: undefined,
  bindings: { ...(workerOptions.bindings as Record<string, string> | undefined), ...settings },
  modules: [main, ...siblings].map((path) => ({ type: 'ESModule' as const, path })),
  modulesRoot: dirname(main),
};
const namespaces = (workerOptions.durableObjects ?? {}) as Record<
  string,
  { className: string; useSQLite?: boolean; container?: { imageName?: string } }
>;
const apart = values['objects-apart'] && Object.keys(namespaces).length > 0;
const traceSizes = values['trace-sizes'];
const tails = traceSizes ? { tails: [TRACE_SIZES] } : {};

const miniflare = new Miniflare(
  convertV4MiniflareOptions({
    host: '127.0.0.1',
    port: 0,
    inspectorPort,
    logRequests: false,
    resourcePersistencePath: values['persist-to'],
    ...(containerBuildId === undefined
      ? {}
      : {
          containerEngine: {
            localDocker: {
              socketPath: values['docker-host']!,
              ...(values['egress-image'] ? { containerEgressInterceptorImage: values['egress-image'] } : {}),
            },
          },
        }),
    handleStructuredLogs: ({ level, message }) => {
      if (logLevel === 'log' || level === 'warn' || level === 'error') process.stdout.write(`${message}\n`);
    },
    workers: [
      {
        ...shared,
        ...tails,
        name: WORKER,
        unsafeDirectSockets: [{ host: values.ip, port }],
        // The caller's bindings point at the objects' Worker, which alone holds the classes (and their containers).
        durableObjects: apart
          ? Object.fromEntries(
              Object.entries(namespaces).map(([binding, { container: _container, ...target }]) => [
                binding,
                { ...target, scriptName: OBJECTS },
              ]),
            )
          : namespaces,
      },
      ...(apart ? [{ ...shared, ...tails, name: OBJECTS }] : []),
      ...(traceSizes
        ? [
            {
              name: TRACE_SIZES,
              modules: true,
              script: TRACE_SIZES_SCRIPT,
              compatibilityDate: workerOptions.compatibilityDate as string,
              unsafeDirectSockets: [{ host: '127.0.0.1', port: 0 }],
            },
          ]
        : []),
    ],
  }),
);
await miniflare.ready;
const ready = {
  url: (await miniflare.unsafeGetDirectURL(WORKER)).href,
  ...(traceSizes ? { traceSizesUrl: (await miniflare.unsafeGetDirectURL(TRACE_SIZES)).href } : {}),
};
process.stdout.write(`${JSON.stringify({ ready })}\n`);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await miniflare.dispose().catch(() => {});
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
process.stdin.on('end', () => void stop());
process.stdin.resume();
