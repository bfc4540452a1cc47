/**
 * The shape every benchmark path takes (a way to open sessions to the echo tool, and to stop), so
 * one measuring routine serves the floor, the bridge, the whole stack and the references alike.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';

/** One MCP session that calls a tool, as every row of the benchmark uses it. */
export interface BenchClient {
  /** One `tools/call`; rejects when the call fails or the tool answers with an error or an unexpected result. */
  call(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A way to reach the echo tool (directly over stdio, through the bridge, through the whole
 * gateway, ...). Every row of the benchmark is one path measured the same way.
 */
export interface EchoPath {
  /** Short stable key, used in the JSON results. */
  id: string;
  /** What the row shows. */
  label: string;
  /** Opens a new MCP session of its own (a new client, so a new session on the server side). */
  openClient(): Promise<BenchClient>;
  /** Stops whatever the path started. */
  stop(): Promise<void>;
}

/** The tool every path calls, with its expected answer. */
export interface ToolCall {
  name: string;
  arguments: Record<string, unknown>;
  expectedText: string;
}

export const ECHO_CALL: ToolCall = { name: 'echo', arguments: { message: 'bench' }, expectedText: 'Echo: bench' };

/** `add`, for the paths that have no echo: our native tools and Cloudflare's template. */
export const ADD_CALL: ToolCall = { name: 'add', arguments: { a: 2, b: 3 }, expectedText: '5' };

/**
 * Connects an MCP SDK v1 client over `transport` and returns a {@link BenchClient} that
 * calls `tool` and checks its answer, so a row never counts an error as a fast call.
 *
 * @example
 * ```ts
 * const client = await connectBenchClient(new StdioClientTransport({ command, args }), ECHO_CALL);
 * await client.call();
 * ```
 */
export async function connectBenchClient(transport: Transport, tool: ToolCall = ECHO_CALL): Promise<BenchClient> {
  const client = new Client({ name: 'secure-mcp-bench', version: '1.0.0' });
  await client.connect(transport);
  return {
    async call() {
      const result = await client.callTool({ name: tool.name, arguments: tool.arguments });
      const content = result.content as Array<{ type: string; text?: string }> | undefined;
      if (result.isError || content?.[0]?.text !== tool.expectedText) {
        throw new Error(`unexpected answer from ${tool.name}: ${JSON.stringify(result).slice(0, 200)}`);
      }
    },
    close: () => client.close(),
  };
}
