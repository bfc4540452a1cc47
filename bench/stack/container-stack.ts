/**
 * The whole stack through real containers for the benchmark: the project's Docker engine (started
 * or reused), the local images, and a private stack in the real-container mode
 * (`startContainerStack`) on free ports, with the production image (server-everything). The
 * Access stand-in runs in the benchmark's process; the Worker in wrangler's, the bridge in the
 * container. Throws with a one-line reason when the engine cannot run here.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeBuildCaFile } from '../../dev/containers/build-ca-certs.ts';
import { startEngine } from '../../dev/containers/engine.ts';
import { prepareLocalImages } from '../../dev/containers/local-images.ts';
import { startContainerStack, type RunningContainerStack } from '../../dev/stack/local-stack.ts';
import { findFreePort } from '../../dev/stack/ports.ts';

/** Dev users of the benchmark's stack: each new one gets a container of their own (cold starts). */
export const BENCH_CONTAINER_USERS = Array.from({ length: 6 }, (_, index) => `user${index + 1}@example.com`);

/** A running stack with real containers, and how long it took to answer. */
export interface BenchContainerStack {
  stack: RunningContainerStack;
  /** From starting the engine (or finding it) to the Worker answering, images already made. */
  readySeconds: number;
  stop(): Promise<void>;
}

/**
 * Starts it; `progress` gets one line per slow step.
 *
 * @example
 * ```ts
 * const { stack, stop } = await startBenchContainerStack((line) => console.error(line));
 * ```
 */
export async function startBenchContainerStack(progress: (line: string) => void): Promise<BenchContainerStack> {
  const engine = await startEngine({ log: progress });
  const stateDir = await mkdtemp(join(tmpdir(), 'secure-mcp-bench-containers-'));
  try {
    const images = await prepareLocalImages(engine, { log: progress });
    const buildCaFile = await writeBuildCaFile(join(engine.layout.stateDir, 'build-ca.pem'));
    const usersFile = join(stateDir, 'users.json');
    await writeFile(
      usersFile,
      JSON.stringify(BENCH_CONTAINER_USERS.map((email) => ({ email, name: email, groups: ['engineering'] }))),
    );
    const started = performance.now();
    const stack = await startContainerStack(
      {
        workerPort: await findFreePort(),
        accessPort: 0,
        stateDir,
        devVarsPath: join(stateDir, '.dev.vars'),
        usersFile,
      },
      {
        dockerHost: engine.dockerHost,
        baseImage: images.baseImage.reference,
        egressImage: images.egressImage,
        buildCaFile,
      },
    );
    return {
      stack,
      readySeconds: (performance.now() - started) / 1000,
      async stop() {
        await stack.stop();
        await rm(stateDir, { recursive: true, force: true });
        await engine.stop();
      },
    };
  } catch (error) {
    await rm(stateDir, { recursive: true, force: true });
    await engine.stop();
    throw error;
  }
}
