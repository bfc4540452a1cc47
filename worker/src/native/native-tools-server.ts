/**
 * Where a team writes tools that run in the Worker itself instead of a container: each is subject
 * to the same sign-in and policies as the proxied server's tools.
 */
import { McpServer } from '@modelcontextprotocol/server';
import { z } from 'zod';
import type { UserProps } from '../config.ts';

/**
 * The tools this Worker serves itself at `/mcp/native`, written in TypeScript with the
 * MCP SDK v2. A team adds its own tools here; each one is reached only after sign-in and
 * the policy gate, like the proxied server's tools, so its name needs a rule in
 * `policies/tools.yaml` (deny by default).
 *
 * The server is built per request for the signed-in `user`: tools read the verified
 * identity from here, never from anything the client sent.
 *
 * @example
 * ```ts
 * const server = createNativeToolsServer({ sub: 'u1', email: 'alice@example.com', name: 'Alice', groups: ['engineering'] });
 * ```
 */
export function createNativeToolsServer(user: UserProps): McpServer {
  const server = new McpServer({ name: 'secure-mcp-native-tools', version: '1.0.0' });

  server.registerTool(
    'add',
    {
      title: 'Add two numbers',
      description: 'Adds two numbers, e.g. "use the math tool to add 23 and 19".',
      inputSchema: z.object({ a: z.number(), b: z.number() }),
    },
    async ({ a, b }) => ({ content: [{ type: 'text', text: String(a + b) }] }),
  );

  server.registerTool(
    'whoami',
    {
      title: 'Who am I',
      description: 'Returns the identity the gateway verified at sign-in (from Cloudflare Access).',
      inputSchema: z.object({}),
    },
    async () => {
      const identity = { sub: user.sub, email: user.email, name: user.name, groups: user.groups };
      return { content: [{ type: 'text', text: JSON.stringify(identity) }], structuredContent: identity };
    },
  );

  return server;
}
