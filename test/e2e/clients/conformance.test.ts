/**
 * The gateway is transparent: every conformance check (`@modelcontextprotocol/conformance`
 * server scenarios) that passes against server-everything directly also passes through the
 * whole local stack (Worker, bridge, the same server over stdio). The runner cannot sign
 * in, so a loopback shim adds a token (and closes the sessions the runner abandons). The comparison keeps its meaning as either package
 * moves: it never names which checks pass, only that none is lost in transit.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { obtainTokens } from '../../../dev/client/obtain-tokens.ts';
import { findFreePort } from '../../../dev/stack/ports.ts';
import { startPrivateStack } from '../../../dev/stack/private-stack.ts';
import { passedChecks, runConformance } from './conformance-run.ts';
import { startTokenShim, type RunningTokenShim } from './token-shim.ts';

const serverEverythingEntry = createRequire(import.meta.url).resolve(
  '@modelcontextprotocol/server-everything/dist/index.js',
);

let stack: Awaited<ReturnType<typeof startPrivateStack>>;
let shim: RunningTokenShim;
let direct: ChildProcess;
let directUrl: string;

/** server-everything's own Streamable HTTP transport (it listens on PORT; the test talks to it on loopback only). */
async function startServerEverythingOverHttp(): Promise<{ child: ChildProcess; url: string }> {
  const port = await findFreePort();
  const child = spawn(process.execPath, [serverEverythingEntry, 'streamableHttp'], {
    env: { ...process.env, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  await new Promise<void>((resolve, reject) => {
    let output = '';
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (output.includes('listening on port')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`server-everything exited (${code}) before listening:\n${output}`)));
  });
  return { child, url: `http://localhost:${port}/mcp` };
}

beforeAll(async () => {
  ({ child: direct, url: directUrl } = await startServerEverythingOverHttp());
  stack = await startPrivateStack();
  const { access_token } = await obtainTokens(stack.mcpUrl, 'alice@example.com');
  // The runner abandons a session per scenario; the bridge caps its server processes (16).
  shim = await startTokenShim(stack.mcpUrl, access_token, { keepSessions: 4 });
});

afterAll(async () => {
  await shim?.close();
  await stack?.cleanup();
  direct?.kill();
});

describe('conformance server scenarios: server-everything directly vs through the gateway', () => {
  it('loses no passing check in transit', async () => {
    const directly = passedChecks(await runConformance(directUrl));
    const gatewayResults = await runConformance(shim.url);
    const throughGateway = passedChecks(gatewayResults);
    expect(directly.length).toBeGreaterThan(0);
    const lost = directly.filter((check) => !throughGateway.includes(check));
    const reasons = lost.map((check) => `${check}: ${gatewayResults.get(check)?.errorMessage ?? 'not run'}`);
    expect(lost, `passed directly, failed through the gateway:\n${reasons.join('\n')}`).toEqual([]);
    console.log(`conformance: ${directly.length} checks pass directly, ${throughGateway.length} through the gateway`);
  });
});
