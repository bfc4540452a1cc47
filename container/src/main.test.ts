import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Client as ClientV2, StreamableHTTPClientTransport as StreamableV2 } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBridge } from '../build.ts';
import { isRunning, SERVER_EVERYTHING } from '../test/test-support.ts';

/** The CLI as shipped: the esbuild bundle of main.ts, run by plain Node. */
describe('bridge CLI (bundled main.ts)', () => {
  let bundleDir: string;
  let bundle: string;

  beforeAll(async () => {
    bundleDir = await mkdtemp(join(tmpdir(), 'bridge-bundle-'));
    bundle = await buildBridge(join(bundleDir, 'bridge.mjs'));
  });
  afterAll(() => rm(bundleDir, { recursive: true, force: true }));

  /** Starts the CLI with an environment free of the bridge's own variables. */
  function runCli(args: string[]) {
    const { MCP_SERVER_COMMAND, BRIDGE_PORT, BRIDGE_HOST, ...env } = process.env;
    const cli = spawn(process.execPath, [bundle, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    cli.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = once(cli, 'close').then(([code]) => ({ code: code as number | null, stderr }));
    return { cli, exited };
  }

  it('logs one JSON line when listening and, on SIGTERM, stops its children and exits 0', async () => {
    const { cli, exited } = runCli(['--port', '0', '--', ...SERVER_EVERYTHING]);
    const records = createInterface({ input: cli.stdout })[Symbol.asyncIterator]();
    const nextRecord = async () => JSON.parse((await records.next()).value as string) as Record<string, unknown>;

    const listening = await nextRecord();
    expect(listening).toMatchObject({
      event: 'bridge.listening',
      url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
    });
    const initialize = {
      jsonrpc: '2.0',
      id: 0,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'cli-test', version: '1' } },
    };
    const response = await fetch(`${listening.url as string}/mcp`, {
      method: 'POST',
      headers: { accept: 'application/json, text/event-stream', 'content-type': 'application/json' },
      body: JSON.stringify(initialize),
    });
    expect(await response.text()).toContain('"protocolVersion"');
    expect(await nextRecord()).toMatchObject({ event: 'session.opened' });
    const spawned = await nextRecord();
    expect(spawned).toMatchObject({ event: 'child.spawned', pid: expect.any(Number) });

    // The bundle serves the stateless revision too (the SDK v2 server code is bundled with it).
    const stateless = new ClientV2(
      { name: 'cli-test', version: '1' },
      { versionNegotiation: { mode: { pin: '2026-07-28' } } },
    );
    await stateless.connect(new StreamableV2(new URL('/mcp', listening.url as string)));
    expect((await stateless.callTool({ name: 'echo', arguments: { message: 'bundled' } })).content).toEqual([
      { type: 'text', text: 'Echo: bundled' },
    ]);
    await stateless.close();

    cli.kill('SIGTERM');
    // stderr belongs to the stdio server (inherited), so only the exit code is the bridge's.
    expect((await exited).code).toBe(0);
    expect(isRunning(spawned.pid as number)).toBe(false);
  });

  describe('startup mistakes: one line on stderr, exit code 1', () => {
    let occupied: Server;

    beforeAll(async () => {
      occupied = createServer().listen(0, '127.0.0.1');
      await once(occupied, 'listening');
    });
    afterAll(() => new Promise((resolve) => occupied.close(resolve)));

    it('a port already in use', async () => {
      const { port } = occupied.address() as { port: number };
      const { exited } = runCli(['--port', String(port), '--', ...SERVER_EVERYTHING]);
      expect(await exited).toEqual({
        code: 1,
        stderr: `bridge: cannot listen on 127.0.0.1:${port}: the port is already in use\n`,
      });
    });

    it('no MCP server command', async () => {
      expect(await runCli(['--port', '0']).exited).toEqual({
        code: 1,
        stderr: 'bridge: no MCP server command: give it after -- or set MCP_SERVER_COMMAND\n',
      });
    });
  });
});
