/**
 * Finds out whether the running Worker serves native tools before measuring them, so the benchmark
 * reports "not available" with the reason rather than inventing a row.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { obtainTokens } from '../../dev/client/obtain-tokens.ts';
import { BENCH_USER, nativeToolsPath, type GatewayUrls } from './whole-stack.ts';
import { ADD_CALL, ECHO_CALL, type EchoPath, type ToolCall } from './echo-path.ts';

/**
 * The native-tools path if the Worker serves MCP at `/mcp/native` with an `echo` tool, or else
 * an `add` tool; otherwise the reason it cannot be measured (so the row says "not available"
 * instead of a made-up figure).
 *
 * @example
 * ```ts
 * const native = await probeNativeTools(stack);
 * if ('reason' in native) console.log(native.reason);
 * ```
 */
export async function probeNativeTools(stack: GatewayUrls): Promise<EchoPath | { reason: string }> {
  const url = `${stack.workerUrl}/mcp/native`;
  let tool: ToolCall;
  try {
    const { access_token } = await obtainTokens(url, BENCH_USER);
    const client = new Client({ name: 'secure-mcp-bench-probe', version: '1.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(url), {
        requestInit: { headers: { Authorization: `Bearer ${access_token}` } },
      }),
    );
    try {
      const { tools } = await client.listTools();
      const names = tools.map((candidate) => candidate.name);
      const found = [ECHO_CALL, ADD_CALL].find((call) => names.includes(call.name));
      if (!found)
        return { reason: `/mcp/native answers but has neither echo nor add (it has: ${names.join(', ') || 'none'})` };
      tool = found;
    } finally {
      await client.close();
    }
  } catch (error) {
    return { reason: `not yet available: /mcp/native did not serve MCP (${firstLine((error as Error).message)})` };
  }
  const path = await nativeToolsPath(stack, tool);
  return { ...path, label: `native tool \`${tool.name}\` (wrangler dev, no bridge)` };
}

function firstLine(text: string): string {
  return text.split('\n')[0]!.slice(0, 160);
}
