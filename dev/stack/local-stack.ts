import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildBridge } from '../../container/build.ts';
import { startBridge, type RunningBridge } from '../../container/src/bridge.ts';
import type { BridgeLimits } from '../../container/src/bridge-limits.ts';
import { deriveUpstreamKey, identityAuthenticator } from '../../container/src/identity-token.ts';
import { accessPoliciesFor, LOCAL_ENVIRONMENT, type AccessPolicy } from '../../policies/access.ts';
import type { GroupField } from '../../policies/model/identity-provider.ts';
import { startAccessStandIn, type RunningAccessStandIn } from '../access-standin/index.ts';
import { DEFAULT_PROFILE, defaultGroupFieldOf, type StandInProfile } from '../access-standin/profiles.ts';
import { loadDevUsers, type DevUser } from '../access-standin/users.ts';
import { removeStackContainers, stackContainers } from '../containers/stack-containers.ts';
import { writeDevVars } from './dev-vars.ts';
import { serverEverythingCommand } from './server-everything.ts';
import { assertPortFree } from './ports.ts';
import { startWranglerDev, type RunningWranglerDev } from './wrangler-dev.ts';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dockerForWrangler = join(repoRoot, 'dev', 'containers', 'docker-for-wrangler');

/** The environment that points wrangler and workerd at the project's engine and local images. */
function containerModeEnvironment(containers: ContainerModeOptions): Record<string, string> {
  return {
    DOCKER_HOST: containers.dockerHost,
    WRANGLER_DOCKER_BIN: dockerForWrangler,
    MINIFLARE_CONTAINER_EGRESS_IMAGE: containers.egressImage,
    SECURE_MCP_BASE_IMAGE: containers.baseImage,
    ...(containers.buildCaFile ? { SECURE_MCP_BUILD_CA_FILE: containers.buildCaFile } : {}),
    SECURE_MCP_EXTRA_BUILD_ARGS: Object.entries(containers.buildArgs ?? {})
      .map(([name, value]) => `${name}=${value}`)
      .join('\n'),
  };
}

/** The Access application's client id in the local stack (Access generates one per app). */
const LOCAL_ACCESS_CLIENT_ID = 'secure-mcp-local';

export interface LocalStackOptions {
  /** Port of the Worker (`wrangler dev`); the MCP URL is `http://localhost:<port>/mcp`. */
  workerPort: number;
  /** Port of the Worker's DevTools inspector; absent, no inspector (see `wrangler-dev-host.ts`). */
  workerInspectorPort?: number;
  /** Port of the Access stand-in; 0 picks a free one. */
  accessPort: number;
  /** Port of the bridge; 0 picks a free one. */
  bridgePort: number;
  /** Folder for local state (KV, wrangler's config home); created if missing. */
  stateDir: string;
  /** Where to write the Worker's dotenv file. */
  devVarsPath: string;
  /** The stdio MCP server the bridge runs; server-everything by default. */
  serverCommand?: string[];
  /** Bounds of the bridge beyond its defaults (e.g. more stdio children for a load test). */
  bridgeLimits?: Partial<BridgeLimits>;
  /** wrangler's log level; 'log' passes the Worker's `console.log` lines (audit records) to `log`. Default 'warn'. */
  workerLogLevel?: 'warn' | 'info' | 'log';
  /** Dev users file; `dev/users.json` by default. */
  usersFile?: string;
  /** Extra CA certificates (a PEM file) the Worker trusts, for https test servers on loopback. */
  extraCaCertificates?: string;
  /** Worker settings beyond the launcher's (e.g. `APPROVAL_WAIT`), written to its dotenv file. */
  workerVars?: Record<string, string>;
  /**
   * The identity provider the Access stand-in rehearses, and how its id_tokens look (default:
   * generic OIDC, group names as strings, nonce echoed, `name` sent).
   */
  accessProfile?: StandInProfile;
  /** Whose Access policies the stand-in applies: an environment of `policies/access.yaml` (default `local`). */
  accessEnvironment?: string;
  /**
   * How the Worker reads the id_token (`ACCESS_GROUPS_FIELD`, `ACCESS_NONCE`): by default the
   * group field a stack pinning the profile's provider uses, and a required nonce.
   */
  workerSignIn?: { groupsField?: GroupField; nonce?: 'required' | 'if-present' };
  /** Receives one line per event of every part (Access decisions, bridge, wrangler). */
  log?: (source: 'access' | 'bridge' | 'worker', line: string) => void;
}

/**
 * What the real-container mode needs (`npm run dev -- --containers`; dev/containers/): the engine,
 * the local images, and the container settings and image build arguments of this stack.
 */
export interface ContainerModeOptions {
  /** `unix://…` of the project's engine. */
  dockerHost: string;
  /** `<image>@sha256:…` of the local base image (`NODE_IMAGE` and `NODE_IMAGE_DIGEST`). */
  baseImage: string;
  /** The network sidecar stand-in's tag (`MINIFLARE_CONTAINER_EGRESS_IMAGE`). */
  egressImage: string;
  /** The machine's extra CA certificates for npm in the build (local builds only). */
  buildCaFile?: string;
  /** More build arguments of `container/Dockerfile` (another `MCP_SERVER_PACKAGE`, …). */
  buildArgs?: Record<string, string>;
  /** Worker settings of the container (`MCP_CONTAINER_SLEEP_AFTER`, `MCP_CONTAINER_ALLOWED_HOSTS`, …). */
  settings?: Record<string, string>;
}

/** The parts both modes share. */
interface RunningGateway {
  mcpUrl: string;
  workerUrl: string;
  access: RunningAccessStandIn;
  worker: RunningWranglerDev;
  users: DevUser[];
  /** The Access policies the stand-in applies, as written (before they are rewritten for its provider). */
  accessPolicies: AccessPolicy[];
  /** Bearer secret of the Worker's operator routes (`npm run revoke-user` reads it from .dev.vars). */
  adminToken: string;
  /** Stops the Worker, the bridge (and its stdio children) and the stand-in. */
  stop(): Promise<void>;
}

/** The local stack with the bridge as a process on loopback (`npm run dev`). */
export interface RunningLocalStack extends RunningGateway {
  mode: 'process';
  bridge: RunningBridge;
}

/** The local stack with one real container per user (`npm run dev -- --containers`). */
export interface RunningContainerStack extends RunningGateway {
  mode: 'containers';
  /** The image wrangler built for this stack (`cloudflare-dev/mcpcontainer:<build id>`). */
  image: string;
  dockerHost: string;
}

/**
 * Starts the whole local stack on loopback: the Access stand-in, the bridge with a
 * stdio MCP server, and the Worker under `wrangler dev`, wired together through the
 * Worker's dotenv file. On any failure, whatever already started is stopped again.
 *
 * @example
 * ```ts
 * const stack = await startLocalStack({ workerPort: 8788, accessPort: 8789, bridgePort: 8790, stateDir, devVarsPath });
 * console.log(stack.mcpUrl); // http://localhost:8788/mcp
 * await stack.stop();
 * ```
 */
export async function startLocalStack(options: LocalStackOptions): Promise<RunningLocalStack> {
  return (await startStack(options, undefined)) as RunningLocalStack;
}

/**
 * Starts the local stack in the real-container mode: the Access stand-in and the Worker under
 * `wrangler dev` with its containers enabled, so `ContainerUpstream` and `McpContainer` run for real
 * and every user gets a container of their own, built from `container/Dockerfile` on the local base
 * image. `stop()` also removes every container, sidecar and image tag the stack made.
 *
 * @example
 * ```ts
 * const engine = await startEngine();
 * const images = await prepareLocalImages(engine);
 * const stack = await startContainerStack({ ...ports, stateDir, devVarsPath }, { dockerHost: engine.dockerHost, baseImage: images.baseImage.reference, egressImage: images.egressImage });
 * ```
 */
export async function startContainerStack(
  options: Omit<LocalStackOptions, 'bridgePort' | 'serverCommand' | 'bridgeLimits'>,
  containers: ContainerModeOptions,
): Promise<RunningContainerStack> {
  return (await startStack({ ...options, bridgePort: 0 }, containers)) as RunningContainerStack;
}

async function startStack(
  options: LocalStackOptions,
  containers: ContainerModeOptions | undefined,
): Promise<RunningLocalStack | RunningContainerStack> {
  const log = options.log ?? (() => {});
  await assertPortFree(options.workerPort, 'Worker', 'SECURE_MCP_WORKER_PORT');
  if (options.accessPort !== 0) await assertPortFree(options.accessPort, 'Access stand-in', 'SECURE_MCP_ACCESS_PORT');
  if (!containers && options.bridgePort !== 0)
    await assertPortFree(options.bridgePort, 'bridge', 'SECURE_MCP_BRIDGE_PORT');
  await mkdir(options.stateDir, { recursive: true });

  const workerUrl = `http://localhost:${options.workerPort}`;
  const users = await loadDevUsers(options.usersFile ?? join(repoRoot, 'dev', 'users.json'));
  const clientSecret = randomBytes(32).toString('base64url');
  // Separate random keys, fresh at every start: identity header, consent cookie, operator routes.
  const identitySigningKey = randomBytes(32).toString('base64url');
  const cookieSecret = randomBytes(32).toString('base64url');
  const adminToken = randomBytes(32).toString('base64url');
  const started: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const stop of started.reverse()) await stop().catch(() => {});
    started.length = 0;
  };

  try {
    const profile = options.accessProfile ?? DEFAULT_PROFILE;
    const accessPolicies = accessPoliciesFor(options.accessEnvironment ?? LOCAL_ENVIRONMENT);
    const access = await startAccessStandIn({
      port: options.accessPort,
      clientId: LOCAL_ACCESS_CLIENT_ID,
      clientSecret,
      redirectUris: [`${workerUrl}/callback`],
      users,
      policies: accessPolicies,
      profile,
      logger: (line) => log('access', line),
    });
    started.push(() => access.close());

    const gatewayVars = {
      PUBLIC_URL: workerUrl,
      ACCESS_ISSUER: access.issuer,
      ACCESS_CLIENT_ID: LOCAL_ACCESS_CLIENT_ID,
      ACCESS_CLIENT_SECRET: clientSecret,
      ACCESS_AUTHORIZATION_URL: access.authorizationUrl,
      ACCESS_TOKEN_URL: access.tokenUrl,
      ACCESS_JWKS_URL: access.jwksUrl,
      ACCESS_GROUPS_FIELD: options.workerSignIn?.groupsField ?? defaultGroupFieldOf(profile),
      ACCESS_NONCE: options.workerSignIn?.nonce ?? 'required',
      IDENTITY_SIGNING_KEY: identitySigningKey,
      COOKIE_SIGNING_KEY: cookieSecret,
      ADMIN_TOKEN: adminToken,
      // Client ID Metadata Documents served from this machine are fine locally, never in production.
      CLIENT_METADATA_LOOPBACK: 'allow',
      ...options.workerVars,
    };
    const wranglerOptions = {
      port: options.workerPort,
      inspectorPort: options.workerInspectorPort,
      envFile: options.devVarsPath,
      persistTo: join(options.stateDir, 'wrangler-state'),
      configHome: join(options.stateDir, 'wrangler-config'),
      onOutput: (line: string) => log('worker', line),
      logLevel: options.workerLogLevel,
      extraCaCertificates: options.extraCaCertificates,
    };
    const gateway = { mcpUrl: `${workerUrl}/mcp`, workerUrl, access, users, accessPolicies, adminToken, stop: stopAll };

    if (containers) {
      // No UPSTREAM_URL: the Worker forwards to McpContainer, one container per user. The image
      // copies the bridge bundle, which wrangler does not build (its build command is the Worker's).
      await buildBridge();
      await writeDevVars(options.devVarsPath, { ...gatewayVars, ...containers.settings });
      const buildId = `smcp-${randomBytes(4).toString('hex')}`;
      const image = `cloudflare-dev/mcpcontainer:${buildId}`;
      // If wrangler never starts, whatever it built still goes.
      started.push(() => removeStackContainers(containers.dockerHost, image));
      const worker = await startWranglerDev({
        ...wranglerOptions,
        // A first build of the image (npm install of the server) takes a minute or two.
        readyTimeoutMs: 600_000,
        containers: { buildId, env: containerModeEnvironment(containers) },
      });
      started.push(async () => {
        // What runs now is noted first: workerd may remove a container but not its sidecar while
        // it is being stopped, and a sidecar is found through its container.
        const running = await stackContainers(containers.dockerHost, image).catch(() => undefined);
        await worker.stop();
        await removeStackContainers(
          containers.dockerHost,
          image,
          running ? [...running.apps, ...running.sidecars] : [],
        );
      });
      return { ...gateway, mode: 'containers', worker, image, dockerHost: containers.dockerHost };
    }

    let bridgeMcpUrl = '';
    // The bridge gets the key the Worker derives for this URL upstream, never the Worker's own.
    let bridgeKey = '';
    const bridge = await startBridge({
      command: options.serverCommand ?? serverEverythingCommand(),
      port: options.bridgePort,
      host: '127.0.0.1',
      authenticate: identityAuthenticator({ key: () => bridgeKey, audience: () => bridgeMcpUrl }),
      logger: (record) => log('bridge', JSON.stringify(record)),
      limits: options.bridgeLimits,
    });
    started.push(() => bridge.close());
    bridgeMcpUrl = `${bridge.url}/mcp`;
    bridgeKey = await deriveUpstreamKey(identitySigningKey, `url:${new URL(bridgeMcpUrl).href}`);

    await writeDevVars(options.devVarsPath, { ...gatewayVars, UPSTREAM_URL: bridgeMcpUrl });
    const worker = await startWranglerDev(wranglerOptions);
    started.push(() => worker.stop());

    return { ...gateway, mode: 'process', bridge, worker };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
