/**
 * `mcp-remote`, as Claude Desktop runs it (`npx mcp-remote <url>` in
 * `claude_desktop_config.json`): a stdio process that does the OAuth flow itself. It
 * prints the authorization URL and asks the system to open a browser; here `BROWSER`
 * points at `true` (nothing opens) and headless Chromium plays the person: approve the
 * consent page, sign in at the Access stand-in, land on mcp-remote's loopback callback.
 * Then the test speaks MCP to it over stdio, as Claude Desktop would, including the question the
 * gateway asks before a tool that needs the caller's confirmation runs.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findFreePort } from '../../../dev/stack/ports.ts';
import { startPrivateStack } from '../../../dev/stack/private-stack.ts';
import { chromiumReady, launchChromium, skipsWithoutChromium } from '../../browser/chromium.ts';

const mcpRemoteBin = join(createRequire(import.meta.url).resolve('mcp-remote/package.json'), '..', 'dist', 'proxy.js');

let stack: Awaited<ReturnType<typeof startPrivateStack>>;
/** mcp-remote keeps registrations and tokens under MCP_REMOTE_CONFIG_DIR; a throwaway one per run. */
let configDir: string;

beforeAll(async () => {
  if (!chromiumReady()) return;
  configDir = await mkdtemp(join(tmpdir(), 'secure-mcp-mcp-remote-'));
  stack = await startPrivateStack();
});

afterAll(async () => {
  await stack?.cleanup();
  if (configDir) await rm(configDir, { recursive: true, force: true });
});

/** Resolves with the first authorization URL mcp-remote prints on stderr. */
function authorizationUrlFrom(stderr: Readable, log: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    stderr.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
      log.push(chunk.toString('utf8'));
      const match = /Please authorize this client by visiting:\s*(\S+)/.exec(text);
      if (match) resolve(match[1]!);
    });
    stderr.on('end', () => reject(new Error(`mcp-remote printed no authorization URL:\n${text}`)));
  });
}

describe.skipIf(skipsWithoutChromium())('mcp-remote (Claude Desktop) with a browser sign-in', () => {
  it('signs in through Chromium, lists tools, calls echo, and relays the gateway’s confirmation question over stdio', async () => {
    const callbackPort = await findFreePort();
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [mcpRemoteBin, stack.mcpUrl, String(callbackPort)],
      env: { ...(process.env as Record<string, string>), MCP_REMOTE_CONFIG_DIR: configDir, BROWSER: 'true' },
      stderr: 'pipe',
    });
    const stderrLog: string[] = [];
    const authorizationUrl = authorizationUrlFrom(transport.stderr as Readable, stderrLog);
    // Declares elicitation as a host that can ask its person (Claude Desktop's dialog) would.
    const client = new Client(
      { name: 'claude-desktop-stand-in', version: '1.0.0' },
      { capabilities: { elicitation: {} } },
    );
    const questions: string[] = [];
    client.setRequestHandler(ElicitRequestSchema, async (request) => {
      questions.push(request.params.message);
      return { action: 'accept', content: {} };
    });
    const connected = client.connect(transport, { timeout: 90_000 });
    const browser = await launchChromium();
    try {
      const page = await browser.context.newPage();
      await page.goto(await authorizationUrl);
      expect(await page.locator('main').innerText()).toContain(`http://localhost:${callbackPort}/oauth/callback`);
      await page.getByRole('button', { name: 'Allow and sign in' }).click();
      await page.getByRole('button', { name: /alice@example\.com/ }).click();
      await page.waitForURL((url) => url.port === String(callbackPort));
      await connected;

      const { tools } = await client.listTools();
      expect(tools.map((tool) => tool.name)).toContain('echo');
      const result = await client.callTool({ name: 'echo', arguments: { message: 'from Claude Desktop' } });
      expect(result.content).toEqual([{ type: 'text', text: 'Echo: from Claude Desktop' }]);

      // policies/tools.yaml makes gzip-file-as-resource wait for the caller's confirmation: mcp-remote
      // passes the gateway's elicitation/create to the host and the host's answer back.
      const confirmed = await client.callTool({
        name: 'gzip-file-as-resource',
        arguments: { data: 'data:text/plain,from%20Claude%20Desktop' },
      });
      expect(confirmed.isError).toBeFalsy();
      expect(questions).toEqual([
        expect.stringContaining('Run the tool "gzip-file-as-resource" with these arguments?'),
      ]);
    } catch (error) {
      throw new Error(`${(error as Error).message}\nmcp-remote stderr:\n${stderrLog.join('').slice(-3000)}`, {
        cause: error,
      });
    } finally {
      await browser.close();
      await client.close();
    }
  });
});
