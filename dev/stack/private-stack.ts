/**
 * A private copy of the local stack for a test file or a benchmark, so that many can run at once
 * beside a developer's own `npm run dev` without sharing a port, a state folder or a dotenv file.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalStack, type LocalStackOptions, type RunningLocalStack } from './local-stack.ts';
import { findFreePort } from './ports.ts';

/**
 * Starts a private copy of the local stack, for a test file or a benchmark: free ports,
 * its own state folder and dotenv file, so it never touches a running `npm run dev`.
 * `cleanup()` stops it and removes its folder; calling it twice is harmless. `options`
 * pass through to `startLocalStack` (bridge limits, wrangler's log level, a log sink, the stdio server).
 *
 * @example
 * ```ts
 * const stack = await startPrivateStack();
 * try { await use(stack.mcpUrl); } finally { await stack.cleanup(); }
 * ```
 */
export async function startPrivateStack(
  options: Pick<
    LocalStackOptions,
    | 'bridgeLimits'
    | 'workerLogLevel'
    | 'log'
    | 'serverCommand'
    | 'extraCaCertificates'
    | 'workerRuntime'
    | 'wrapWorkerBundle'
    | 'workerVars'
    | 'accessProfile'
    | 'accessEnvironment'
    | 'workerSignIn'
    | 'usersFile'
  > & { inspector?: boolean } = {},
): Promise<RunningLocalStack & { cleanup(): Promise<void> }> {
  const { inspector, ...stackOptions } = options;
  const stateDir = await mkdtemp(join(tmpdir(), 'secure-mcp-stack-'));
  const verboseLog: LocalStackOptions['log'] = (source, line) => console.log(`[${source}] ${line}`);
  const stack = await startLocalStack({
    workerPort: await findFreePort(),
    // Only when asked: an attached inspector makes every console.log of the Worker cost more.
    workerInspectorPort: inspector ? await findFreePort() : undefined,
    accessPort: 0,
    bridgePort: 0,
    stateDir,
    devVarsPath: join(stateDir, '.dev.vars'),
    log: process.env.SECURE_MCP_VERBOSE === '1' ? verboseLog : undefined,
    ...stackOptions,
  }).catch(async (error: unknown) => {
    await rm(stateDir, { recursive: true, force: true });
    throw error;
  });
  let cleaned = false;
  return {
    ...stack,
    async cleanup() {
      if (cleaned) return;
      cleaned = true;
      await stack.stop();
      await rm(stateDir, { recursive: true, force: true });
    },
  };
}
