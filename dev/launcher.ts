/**
 * `npm run dev`: the whole product on this machine. Starts the Access stand-in, the
 * bridge with server-everything, and the Worker under `wrangler dev`; writes
 * `worker/.dev.vars`; prints where to connect; Ctrl-C stops everything.
 *
 * `npm run dev -- --containers`: the production topology instead of the bridge process: the
 * project's Docker engine (started, or reused), the image built from `container/Dockerfile`, and
 * `wrangler dev` running `McpContainer` with one real container per user (dev/containers/).
 * Ctrl-C also removes every container and sidecar, and stops the engine if it started it.
 *
 * Ports: SECURE_MCP_WORKER_PORT (8788), SECURE_MCP_ACCESS_PORT (8789),
 * SECURE_MCP_BRIDGE_PORT (8790). SECURE_MCP_VERBOSE=1 prints every part's log lines.
 * SECURE_MCP_INSPECTOR_PORT turns on the Worker's DevTools inspector at that port (off by
 * default: see stack/wrangler-dev-host.ts for what it costs).
 *
 * Which identity provider the Access stand-in rehearses (dev/README.md, "Identity providers"):
 *   --idp oidc|okta|entra|google|github|saml|otp   the provider (default oidc)
 *   --groups-as strings|objects                      how the id_token writes groups (default strings)
 *   --no-nonce                                       Access does not return the nonce
 *   --no-name                                        the id_token has no name
 *   --access-nonce required|if-present               what the Worker does without a nonce (default required)
 *   --groups-field name|id|email                     the group field the Worker matches (default: the provider's)
 *   --environment <env>                              whose Access policies apply (default local)
 *   --containers                                     one real container per user (see above)
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { GROUP_FIELDS, type GroupField } from '../policies/model/identity-provider.ts';
import { standInProfile, type StandInProfile } from './access-standin/profiles.ts';
import { writeBuildCaFile } from './containers/build-ca-certs.ts';
import { engineLayout, EngineUnavailableError, startEngine, type RunningEngine } from './containers/engine.ts';
import { prepareLocalImages } from './containers/local-images.ts';
import {
  startContainerStack,
  startLocalStack,
  type RunningContainerStack,
  type RunningLocalStack,
} from './stack/local-stack.ts';
import { PortInUseError } from './stack/ports.ts';
import { workerConsoleLine } from './stack/console-lines.ts';
import { readyBanner } from './stack/ready-banner.ts';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

function portFromEnv(name: string, fallback: number): number;
function portFromEnv(name: string): number | undefined;
function portFromEnv(name: string, fallback?: number): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    console.error(`${name} must be a port number from 1 to 65535, got ${JSON.stringify(raw)}.`);
    process.exit(1);
  }
  return port;
}

/** The rehearsal the command line asks for; exits with a message on a wrong flag. */
function rehearsalFromArgs(argv: string[]): {
  containers: boolean;
  profile: StandInProfile;
  environment: string | undefined;
  workerSignIn: { groupsField?: GroupField; nonce?: 'required' | 'if-present' };
} {
  const fail = (message: string): never => {
    console.error(`${message}\nSee dev/README.md, "Identity providers".`);
    process.exit(2);
  };
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        idp: { type: 'string', default: 'oidc' },
        'groups-as': { type: 'string', default: 'strings' },
        'no-nonce': { type: 'boolean', default: false },
        'no-name': { type: 'boolean', default: false },
        'access-nonce': { type: 'string' },
        'groups-field': { type: 'string' },
        environment: { type: 'string' },
        containers: { type: 'boolean', default: false },
      },
    }));
  } catch (error) {
    return fail((error as Error).message);
  }
  const groups = values['groups-as'];
  if (groups !== 'strings' && groups !== 'objects') fail(`--groups-as must be strings or objects, got ${groups}`);
  const nonce = values['access-nonce'];
  if (nonce !== undefined && nonce !== 'required' && nonce !== 'if-present')
    fail(`--access-nonce must be required or if-present, got ${nonce}`);
  const field = values['groups-field'];
  if (field !== undefined && !(GROUP_FIELDS as readonly string[]).includes(field))
    fail(`--groups-field must be one of ${GROUP_FIELDS.join(', ')}, got ${field}`);
  let profile: StandInProfile | undefined;
  try {
    profile = standInProfile(values.idp, {
      groups: groups as 'strings' | 'objects',
      echoNonce: !values['no-nonce'],
      sendName: !values['no-name'],
    });
  } catch (error) {
    fail((error as Error).message);
  }
  return {
    containers: values.containers,
    profile: profile!,
    environment: values.environment,
    workerSignIn: {
      ...(field ? { groupsField: field as GroupField } : {}),
      ...(nonce ? { nonce: nonce as 'required' | 'if-present' } : {}),
    },
  };
}

/** The engine and the images of the real-container mode, with one line per slow step. */
async function prepareContainers(): Promise<{
  engine: RunningEngine;
  baseImage: string;
  egressImage: string;
  caFile?: string;
}> {
  const engine = await startEngine({ installPackages: true, log: (line) => console.log(`[engine] ${line}`) });
  const images = await prepareLocalImages(engine, { log: (line) => console.log(`[engine] ${line}`) });
  const caFile = await writeBuildCaFile(join(engine.layout.stateDir, 'build-ca.pem'));
  return { engine, baseImage: images.baseImage.reference, egressImage: images.egressImage, caFile };
}

async function main(): Promise<void> {
  const started = performance.now();
  const rehearsal = rehearsalFromArgs(process.argv.slice(2));
  const verbose = process.env.SECURE_MCP_VERBOSE === '1';
  console.log(
    rehearsal.containers
      ? 'Starting the local stack with real containers: Docker engine, images, Access stand-in, Worker (wrangler dev)...'
      : 'Starting the local stack: Access stand-in, bridge, Worker (wrangler dev)...',
  );

  const common = {
    workerPort: portFromEnv('SECURE_MCP_WORKER_PORT', 8788),
    accessPort: portFromEnv('SECURE_MCP_ACCESS_PORT', 8789),
    workerInspectorPort: portFromEnv('SECURE_MCP_INSPECTOR_PORT'),
    accessProfile: rehearsal.profile,
    accessEnvironment: rehearsal.environment,
    workerSignIn: rehearsal.workerSignIn,
    stateDir: join(repoRoot, '.dev'),
    devVarsPath: join(repoRoot, 'worker', '.dev.vars'),
    // 'log' lets the Worker's console.log lines through: its audit records.
    workerLogLevel: 'log' as const,
    log: (source: 'access' | 'bridge' | 'worker', line: string) => {
      // Sign-in decisions and audit records are worth seeing by default; the rest only when asked.
      if (verbose || source === 'access') console.log(`[${source}] ${line}`);
      else if (source === 'worker') {
        const shown = workerConsoleLine(line);
        if (shown) console.log(`[${shown.tag}] ${shown.text}`);
      }
    },
  };
  let stack: RunningLocalStack | RunningContainerStack;
  let engine: RunningEngine | undefined;
  try {
    if (rehearsal.containers) {
      const prepared = await prepareContainers();
      engine = prepared.engine;
      stack = await startContainerStack(common, {
        dockerHost: engine.dockerHost,
        baseImage: prepared.baseImage,
        egressImage: prepared.egressImage,
        buildCaFile: prepared.caFile,
      });
    } else {
      stack = await startLocalStack({ ...common, bridgePort: portFromEnv('SECURE_MCP_BRIDGE_PORT', 8790) });
    }
  } catch (error) {
    await engine?.stop();
    if (error instanceof EngineUnavailableError) {
      console.error(
        `The real-container mode needs the project's Docker engine, which cannot start here: ${error.message}`,
      );
      console.error(`(state folder ${engineLayout().stateDir}; plain \`npm run dev\` needs no engine)`);
    } else {
      console.error(
        error instanceof PortInUseError
          ? error.message
          : `Could not start the local stack: ${(error as Error).message}`,
      );
    }
    process.exit(1);
  }

  console.log(readyBanner(stack, (performance.now() - started) / 1000));

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(
      stack.mode === 'containers'
        ? `\n${signal}: stopping the Worker, removing its containers and sidecars, stopping the Access stand-in...`
        : `\n${signal}: stopping the Worker, the bridge and the Access stand-in...`,
    );
    await stack.stop();
    if (engine?.startedHere) console.log('Stopping the Docker engine this run started...');
    await engine?.stop();
    console.log('Stopped.');
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  stack.worker.process.once('exit', (code) => {
    if (stopping) return;
    console.error(`wrangler dev exited unexpectedly (${code}); stopping the rest.`);
    void stack
      .stop()
      .then(() => engine?.stop())
      .then(() => process.exit(1));
  });
}

await main();
