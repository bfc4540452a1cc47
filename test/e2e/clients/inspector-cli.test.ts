/**
 * MCP Inspector's CLI mode (`@modelcontextprotocol/inspector --cli`), the way
 * docs/clients.md tells people to script it: a token from `npm run dev:token`, passed as
 * an `Authorization` header, then `tools/list` and `tools/call` through the local stack.
 * (The package's postinstall only installs clients of a source checkout; the published
 * CLI build runs without it.)
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { obtainTokens } from '../../../dev/client/obtain-tokens.ts';
import { startPrivateStack } from '../../../dev/stack/private-stack.ts';
import { INSPECTOR_LAUNCHER, inspectorHomeEnv } from '../../support/mcp-inspector.ts';

const run = promisify(execFile);

let stack: Awaited<ReturnType<typeof startPrivateStack>>;
let token: string;
/** The Inspector keeps a server catalog under HOME; give it a throwaway one. */
let home: string;

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'secure-mcp-inspector-'));
  stack = await startPrivateStack();
  token = (await obtainTokens(stack.mcpUrl, 'alice@example.com')).access_token;
});

afterAll(async () => {
  await stack?.cleanup();
  if (home) await rm(home, { recursive: true, force: true });
});

interface CliRun {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Runs `inspector --cli <mcpUrl> …args` with the token as a header. */
async function inspectorCli(args: string[], bearer = token): Promise<CliRun> {
  const argv = [
    INSPECTOR_LAUNCHER,
    '--cli',
    stack.mcpUrl,
    '--transport',
    'http',
    '--header',
    `Authorization: Bearer ${bearer}`,
    ...args,
  ];
  const options = { env: { ...process.env, ...inspectorHomeEnv(home) }, timeout: 60_000 };
  try {
    const { stdout, stderr } = await run(process.execPath, argv, options);
    return { exitCode: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return {
      exitCode: typeof failed.code === 'number' ? failed.code : -1,
      stdout: failed.stdout ?? '',
      stderr: failed.stderr ?? '',
    };
  }
}

describe('MCP Inspector CLI with a token', () => {
  it('lists tools', async () => {
    const output = await inspectorCli(['--method', 'tools/list']);
    expect(output.exitCode, output.stderr).toBe(0);
    const { tools } = JSON.parse(output.stdout) as { tools: Array<{ name: string }> };
    expect(tools.map((tool) => tool.name)).toContain('echo');
  });

  it('calls a tool', async () => {
    const output = await inspectorCli([
      '--method',
      'tools/call',
      '--tool-name',
      'echo',
      '--tool-arg',
      'message=from the Inspector',
    ]);
    expect(output.exitCode, output.stderr).toBe(0);
    expect(JSON.parse(output.stdout)).toEqual({ content: [{ type: 'text', text: 'Echo: from the Inspector' }] });
  });

  it('is sent to sign in, with no tools, when the token is made up', async () => {
    const output = await inspectorCli(['--method', 'tools/list'], 'not-a-token');
    expect(output.exitCode).not.toBe(0);
    expect(output.stdout).not.toContain('"tools"');
    expect(JSON.parse(output.stderr)).toMatchObject({ error: { code: 'auth_required' } });
  });
});
