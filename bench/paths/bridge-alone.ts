/**
 * The bridge measured without the Worker in front of it, so the benchmark can tell what the
 * container's half of a call costs apart from the gateway's.
 */
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { startHostedBridge } from '../stack/hosted-stack.ts';
import { connectBenchClient, type EchoPath } from './echo-path.ts';

/**
 * Our bridge alone on loopback HTTP (no Worker, no token) in a process of its own, as
 * supergateway runs: what the container adds to a call.
 *
 * @example
 * ```ts
 * const path = await bridgeAlonePath();
 * try { await (await path.openClient()).call(); } finally { await path.stop(); }
 * ```
 */
export async function bridgeAlonePath(): Promise<EchoPath & { pid: number }> {
  const bridge = await startHostedBridge();
  return {
    id: 'bridge',
    label: 'bridge alone (loopback HTTP)',
    pid: bridge.hostPid,
    openClient: () => connectBenchClient(new StreamableHTTPClientTransport(new URL(`${bridge.bridgeUrl}/mcp`))),
    stop: () => bridge.stop(),
  };
}
