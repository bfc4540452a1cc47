import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalStack, type RunningLocalStack } from '../../dev/stack/local-stack.ts';
import { findFreePort } from '../../dev/stack/ports.ts';

/**
 * Starts a private copy of the local stack for one test file: its own ports, its own
 * state folder and dotenv file, so it never touches a running `npm run dev`.
 */
export async function startTestStack(): Promise<RunningLocalStack & { cleanup(): Promise<void> }> {
  const stateDir = await mkdtemp(join(tmpdir(), 'secure-mcp-e2e-'));
  const stack = await startLocalStack({
    workerPort: await findFreePort(),
    accessPort: 0,
    bridgePort: 0,
    stateDir,
    devVarsPath: join(stateDir, '.dev.vars'),
    log: process.env.SECURE_MCP_VERBOSE === '1' ? (source, line) => console.log(`[${source}] ${line}`) : undefined,
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
