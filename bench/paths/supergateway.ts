/**
 * A reference bridge from outside the project (supergateway, stdio to Streamable HTTP), measured
 * the same way as ours so our bridge's figures have something to be compared with.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { serverEverythingCommand } from '../../dev/stack/server-everything.ts';
import { findFreePort } from '../../dev/stack/ports.ts';
import { stopProcessGroup } from '../../dev/stack/wrangler-dev.ts';
import { connectBenchClient, type EchoPath } from './echo-path.ts';
import { waitForHealth } from './wait-for-health.ts';

/**
 * supergateway 4.0.0 as a reference bridge: stdio to stateful Streamable HTTP, one child per
 * session, like ours. It has no host option and listens on every interface; that is
 * acceptable here only because this machine's network is closed (see the results' notes).
 *
 * @example
 * ```ts
 * const path = await supergatewayPath();
 * try { await (await path.openClient()).call(); } finally { await path.stop(); }
 * ```
 */
export async function supergatewayPath(): Promise<EchoPath & { pid: number }> {
  const port = await findFreePort();
  const bin = join(dirname(createRequire(import.meta.url).resolve('supergateway/package.json')), 'dist', 'index.js');
  // supergateway runs --stdio through a shell: quote every word.
  const stdioCommand = serverEverythingCommand().map(shellQuote).join(' ');
  const child = spawn(
    process.execPath,
    [
      bin,
      '--stdio',
      stdioCommand,
      '--outputTransport',
      'streamableHttp',
      '--stateful',
      '--port',
      String(port),
      '--healthEndpoint',
      '/healthz',
      '--logLevel',
      'none',
    ],
    { detached: true, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
  const base = `http://127.0.0.1:${port}`;
  const stop = () => stopProcessGroup(child);
  try {
    await waitForHealth(`${base}/healthz`, () => child.exitCode !== null, 20_000);
  } catch (error) {
    await stop();
    throw new Error(`supergateway did not start: ${(error as Error).message}\n${stderr}`, { cause: error });
  }
  return {
    id: 'supergateway',
    label: 'supergateway 4.0.0 (reference bridge)',
    pid: child.pid!,
    openClient: () => connectBenchClient(new StreamableHTTPClientTransport(new URL(`${base}/mcp`))),
    stop,
  };
}

function shellQuote(word: string): string {
  return `'${word.replaceAll("'", "'\\''")}'`;
}
