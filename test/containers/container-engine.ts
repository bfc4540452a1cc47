/**
 * What the real-container tests share: whether they run (decided by engine-setup.ts), a private
 * stack in the real-container mode, an SDK client signed in as a dev user, and the engine's view
 * of a user's container (its id, state, processes and logs).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { inject } from 'vitest';
import { accessSubjectFor } from '../../dev/access-standin/subject.ts';
import { ScriptedOAuthClient } from '../../dev/client/scripted-oauth-client.ts';
import { dockerApi } from '../../dev/containers/docker-api.ts';
import { stackContainers } from '../../dev/containers/stack-containers.ts';
import { startContainerStack, type RunningContainerStack } from '../../dev/stack/local-stack.ts';
import { findFreePort } from '../../dev/stack/ports.ts';
import type { ContainerEngineAvailability } from '../provided-context.ts';

const run = promisify(execFile);

/** For `describe.skipIf`: the tests are left out (a machine without root or an engine, not CI). */
export function skipsWithoutEngine(): boolean {
  const engine = inject('containers');
  return !engine.available && !engine.mustFail;
}

/**
 * The engine and images, or a thrown reason where a skip would hide it (CI, an engine that failed).
 *
 * @example
 * ```ts
 * const { dockerHost, baseImage } = containerEngine();
 * ```
 */
export function containerEngine(): Extract<ContainerEngineAvailability, { available: true }> {
  const engine = inject('containers');
  if (!engine.available) throw new Error(`the real-container tests need the Docker engine: ${engine.reason}`);
  return engine;
}

/** The stdio server of the test image (test/containers/stdio-server) instead of server-everything. */
const TEST_SERVER_COMMAND = '["/opt/mcp-server/node_modules/.bin/container-test-server"]';

/** A private real-container stack; `cleanup()` stops it (removing its containers) and its folder. */
export type TestContainerStack = RunningContainerStack & {
  /** The Worker's dotenv file (its keys, for attack tests). */
  devVarsPath: string;
  cleanup(): Promise<void>;
};

/**
 * Starts a private stack in the real-container mode on free ports: the production image
 * (server-everything), or with `testServer` the same Dockerfile with the test stdio server.
 *
 * @example
 * ```ts
 * const stack = await startTestContainerStack({ testServer: true, settings: { MCP_CONTAINER_SLEEP_AFTER: '3s' } });
 * ```
 */
export async function startTestContainerStack(
  options: { testServer?: boolean; settings?: Record<string, string> } = {},
): Promise<TestContainerStack> {
  const engine = containerEngine();
  const stateDir = await mkdtemp(join(tmpdir(), 'secure-mcp-containers-'));
  const verbose = process.env.SECURE_MCP_VERBOSE === '1';
  try {
    const stack = await startContainerStack(
      {
        workerPort: await findFreePort(),
        accessPort: 0,
        stateDir,
        devVarsPath: join(stateDir, '.dev.vars'),
        workerLogLevel: 'log',
        log: verbose ? (source, line) => console.log(`[${source}] ${line}`) : undefined,
      },
      {
        dockerHost: engine.dockerHost,
        baseImage: engine.baseImage,
        egressImage: engine.egressImage,
        buildCaFile: engine.buildCaFile,
        buildArgs: options.testServer
          ? { MCP_SERVER_PACKAGE: engine.testServerPackage, MCP_SERVER_COMMAND: TEST_SERVER_COMMAND }
          : undefined,
        // The test server's tools are not the reviewed server's, so they have no pins in
        // policies/inventory.yaml: with the default (hide) the gate would refuse them.
        settings: { ...(options.testServer ? { DEFINITION_DRIFT: 'warn' } : {}), ...options.settings },
      },
    );
    return {
      ...stack,
      devVarsPath: join(stateDir, '.dev.vars'),
      async cleanup() {
        await stack.stop();
        await rm(stateDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(stateDir, { recursive: true, force: true });
    throw error;
  }
}

/**
 * An MCP SDK v1 client signed in as `email` (consent page and Access stand-in played by script).
 *
 * @example
 * ```ts
 * const alice = await connectAs(stack, 'alice@example.com');
 * await alice.callTool({ name: 'echo', arguments: { message: 'hi' } });
 * ```
 */
export async function connectAs(
  stack: { mcpUrl: string },
  email: string,
  oauth = new ScriptedOAuthClient(email, 'secure-mcp containers test'),
): Promise<Client> {
  const client = new Client({ name: 'secure-mcp-containers-test', version: '1.0.0' });
  if (!oauth.tokens()) {
    const firstTry = new StreamableHTTPClientTransport(new URL(stack.mcpUrl), { authProvider: oauth });
    const error = await client.connect(firstTry).catch((caught: unknown) => caught);
    if (!(error instanceof UnauthorizedError))
      throw new Error(`expected the first connect to ask for sign-in, got ${String(error)}`);
    await firstTry.finishAuth(oauth.takeAuthorizationCode());
  }
  await client.connect(new StreamableHTTPClientTransport(new URL(stack.mcpUrl), { authProvider: oauth }));
  return client;
}

/**
 * Ends the client's MCP session the way a well-behaved client does (`DELETE` with its session id),
 * then closes it: the bridge stops the session's stdio server at once. The SDK v1 client's `close()`
 * alone only drops its connections (the session then lives until the bridge reaps it when idle).
 */
export async function endSession(client: Client): Promise<void> {
  await (client.transport as StreamableHTTPClientTransport | undefined)?.terminateSession();
  await client.close();
}

/** The text of a tool result's first content item. */
export function resultText(result: unknown): string {
  const content = (result as { content?: Array<{ type: string; text?: string }> }).content ?? [];
  return content[0]?.text ?? '';
}

/** A user's container as the engine sees it. */
export interface UserContainer {
  id: string;
  name: string;
  state: string;
  /** Its network sidecar's id. */
  sidecarId: string | undefined;
}

/**
 * The app containers of `stack` that served `email` (their bridge logged a session or child of
 * that user's key), running or not.
 *
 * @example
 * ```ts
 * const [container] = await containersOf(stack, 'alice@example.com');
 * ```
 */
export async function containersOf(stack: TestContainerStack, email: string): Promise<UserContainer[]> {
  const userKey = accessSubjectFor(email);
  const { apps, sidecars } = await stackContainers(stack.dockerHost, stack.image);
  const mine: UserContainer[] = [];
  for (const app of apps) {
    const logs = await containerLogs(stack, app.Id);
    if (!logs.includes(`"userKey":"${userKey}"`)) continue;
    const name = app.Names[0]!.replace(/^\//, '');
    mine.push({
      id: app.Id,
      name,
      state: app.State,
      sidecarId: sidecars.find((sidecar) => sidecar.Names.some((entry) => entry === `/${name}-proxy`))?.Id,
    });
  }
  return mine;
}

/** A container's stdout and stderr. */
export async function containerLogs(stack: { dockerHost: string }, id: string): Promise<string> {
  const { stdout, stderr } = await run('docker', ['logs', id], {
    env: { ...process.env, DOCKER_HOST: stack.dockerHost },
  });
  return stdout + stderr;
}

/** Runs `docker <args>` against the stack's engine, with `input` on its stdin when given. */
export async function docker(stack: { dockerHost: string }, args: string[], input?: string): Promise<string> {
  const child = run('docker', args, {
    env: { ...process.env, DOCKER_HOST: stack.dockerHost },
    maxBuffer: 16 * 1024 * 1024,
  });
  child.child.stdin?.end(input ?? '');
  const { stdout } = await child;
  return stdout;
}

/**
 * Resolves when container `id` is no longer running (the engine's `wait` call, an event, not a
 * poll), with its exit code.
 *
 * @example
 * ```ts
 * const { exitCode } = await containerStopped(stack, container.id);
 * ```
 */
export async function containerStopped(
  stack: { dockerHost: string },
  id: string,
  timeoutMs = 120_000,
): Promise<{ exitCode: number }> {
  const socket = stack.dockerHost.replace(/^unix:\/\//, '');
  const { status, body } = await dockerApi(
    socket,
    'POST',
    `/containers/${id}/wait?condition=not-running`,
    undefined,
    timeoutMs,
  );
  if (status !== 200) throw new Error(`waiting for container ${id} failed (${status}): ${JSON.stringify(body)}`);
  return { exitCode: (body as { StatusCode: number }).StatusCode };
}
