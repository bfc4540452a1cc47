/**
 * What a user costs in the real-container mode: the cold start of their container (create, start,
 * the bridge and the stdio server starting, the call answered) as a new user meets it (their first
 * call after sign-in) and as a returning one does (their container was stopped, by `sleepAfter` or
 * the platform, and their next session starts it again), and the resident memory of their container
 * (tini, the bridge, one stdio server) and of its network sidecar (the local stand-in; on Cloudflare
 * the platform's own).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { accessSubjectFor } from '../../dev/access-standin/subject.ts';
import { obtainTokens } from '../../dev/client/obtain-tokens.ts';
import { dockerApi } from '../../dev/containers/docker-api.ts';
import { stackContainers } from '../../dev/containers/stack-containers.ts';
import type { RunningContainerStack } from '../../dev/stack/local-stack.ts';
import { connectWithToken } from '../paths/whole-stack.ts';
import { summarizeLatency, type LatencySummary } from '../stats/latency-summary.ts';

const run = promisify(execFile);

/** Cold starts of a user's container, in milliseconds. */
export interface ContainerColdStart {
  samples: number;
  latency: LatencySummary;
  what: string;
}

/** Resident memory of one user's container and of its sidecar, in MiB. */
export interface ContainerMemory {
  /** tini + bridge + one stdio server (one session open, idle after a call). */
  appMiB: number;
  /** The network sidecar stand-in (local only). */
  sidecarMiB: number;
  /** The app container's processes and their resident memory, for the record. */
  processes: string;
}

/**
 * Times the cold start of each user's container: sign in (not timed), then a new session's
 * `initialize` plus one `echo` call, with no container running for that user yet.
 *
 * @example
 * ```ts
 * const cold = await measureContainerColdStart(stack, ['user1@example.com', 'user2@example.com']);
 * ```
 */
export async function measureContainerColdStart(
  stack: RunningContainerStack,
  emails: string[],
): Promise<ContainerColdStart> {
  const timings: number[] = [];
  for (const email of emails) {
    if (await userContainer(stack, email)) throw new Error(`${email} already has a container: not a cold start`);
    const { access_token } = await obtainTokens(stack.mcpUrl, email);
    const started = performance.now();
    const client = await connectWithToken(stack.mcpUrl, access_token);
    await client.call();
    timings.push(performance.now() - started);
    await client.close();
  }
  return {
    samples: emails.length,
    latency: summarizeLatency(timings),
    what: "a new user's first session (initialize) and echo call, signed in, no container running for them yet",
  };
}

/**
 * Times `samples` cold starts of a returning user's container: sign in once (not timed), then for
 * each sample stop their container from outside, with SIGTERM as `sleepAfter` and the platform do,
 * wait until it has exited, and time a new session's `initialize` plus one `echo` call. The Durable
 * Object learns of the stop on its own, or when its next request finds the port closed (both start
 * a new container: `McpContainer.fetch`); a call that failed would fail the measurement.
 *
 * @example
 * ```ts
 * const restart = await measureContainerRestart(stack, 'user1@example.com', 5);
 * ```
 */
export async function measureContainerRestart(
  stack: RunningContainerStack,
  email: string,
  samples: number,
): Promise<ContainerColdStart> {
  const { access_token } = await obtainTokens(stack.mcpUrl, email);
  const first = await connectWithToken(stack.mcpUrl, access_token);
  await first.call();
  await first.close();
  const timings: number[] = [];
  for (let sample = 0; sample < samples; sample++) {
    const running = await userContainer(stack, email);
    if (!running) throw new Error(`${email} has no running container to stop`);
    await stopFromOutside(stack, running);
    const started = performance.now();
    const client = await connectWithToken(stack.mcpUrl, access_token);
    await client.call();
    timings.push(performance.now() - started);
    await client.close();
  }
  return {
    samples,
    latency: summarizeLatency(timings),
    what: 'a returning user whose container was stopped (SIGTERM from outside, waited for): a new session (initialize) and echo call',
  };
}

/**
 * Reads the resident memory of `email`'s running container and sidecar after one session and call.
 *
 * @example
 * ```ts
 * const memory = await measureContainerMemory(stack, 'bob@example.com');
 * ```
 */
export async function measureContainerMemory(stack: RunningContainerStack, email: string): Promise<ContainerMemory> {
  const { access_token } = await obtainTokens(stack.mcpUrl, email);
  const client = await connectWithToken(stack.mcpUrl, access_token);
  try {
    await client.call();
    const app = await userContainer(stack, email);
    if (!app) throw new Error(`no running container for ${email}`);
    const { sidecars } = await stackContainers(stack.dockerHost, stack.image);
    const sidecar = sidecars.find((entry) => entry.Names.includes(`/${app.name}-proxy`));
    const appProcesses = await residentMemory(stack, app.id);
    const sidecarProcesses = sidecar ? await residentMemory(stack, sidecar.Id) : [];
    const mib = (entries: Array<{ rssKiB: number }>) =>
      Math.round((entries.reduce((sum, entry) => sum + entry.rssKiB, 0) / 1024) * 10) / 10;
    return {
      appMiB: mib(appProcesses),
      sidecarMiB: mib(sidecarProcesses),
      processes: appProcesses.map((entry) => `${entry.command} ${Math.round(entry.rssKiB / 1024)} MiB`).join(', '),
    };
  } finally {
    await client.close();
  }
}

async function userContainer(
  stack: RunningContainerStack,
  email: string,
): Promise<{ id: string; name: string } | undefined> {
  const userKey = accessSubjectFor(email);
  const { apps } = await stackContainers(stack.dockerHost, stack.image);
  for (const app of apps.filter((entry) => entry.State === 'running')) {
    const { stdout } = await run('docker', ['logs', app.Id], {
      env: { ...process.env, DOCKER_HOST: stack.dockerHost },
    });
    if (stdout.includes(`"userKey":"${userKey}"`)) return { id: app.Id, name: app.Names[0]!.replace(/^\//, '') };
  }
  return undefined;
}

/** SIGTERM to the container, as `sleepAfter` and the platform stop one, and its exit waited for. */
async function stopFromOutside(stack: RunningContainerStack, container: { id: string }): Promise<void> {
  const socket = stack.dockerHost.replace(/^unix:\/\//, '');
  await dockerApi(socket, 'POST', `/containers/${container.id}/kill?signal=SIGTERM`);
  const { status } = await dockerApi(
    socket,
    'POST',
    `/containers/${container.id}/wait?condition=not-running`,
    undefined,
    60_000,
  );
  if (status !== 200) throw new Error(`the container ${container.id} did not stop (${status})`);
}

async function residentMemory(
  stack: RunningContainerStack,
  id: string,
): Promise<Array<{ command: string; rssKiB: number }>> {
  const { stdout } = await run('docker', ['top', id, '-eo', 'pid,rss,comm'], {
    env: { ...process.env, DOCKER_HOST: stack.dockerHost },
  });
  return stdout
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => {
      const [, rss, ...command] = line.trim().split(/\s+/);
      return { command: command.join(' '), rssKiB: Number(rss) };
    });
}
