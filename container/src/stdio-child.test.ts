import { describe, expect, it, vi } from 'vitest';
import { StdioChild } from './stdio-child.ts';
import { isRunning } from '../test/test-support.ts';

/**
 * A stand-in server that starts a process of its own, writes one line of noise and one JSON-RPC
 * notification carrying that process's pid, then either waits or exits with `exitCode`.
 */
function serverWithGrandchild(exitCode?: number): string[] {
  const script = `
    const { spawn } = require('node:child_process');
    const grandchild = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    console.log('this line is not JSON-RPC');
    console.log(JSON.stringify({ jsonrpc: '2.0', method: 'test/grandchild', params: { pid: grandchild.pid } }));
    ${exitCode === undefined ? 'process.stdin.resume();' : `process.exit(${exitCode});`}
  `;
  return [process.execPath, '-e', script];
}

/** Spawns `command` and resolves with the child and the pid its first message announces. */
async function spawnAndReadGrandchild(command: string[]) {
  const child = await StdioChild.spawn(command);
  const errors: string[] = [];
  child.onerror = (error) => errors.push(error.message);
  const grandchildPid = await new Promise<number>((resolve) => {
    child.onmessage = (message) => {
      if ('params' in message) resolve(message.params?.pid as number);
    };
  });
  return { child, grandchildPid, errors };
}

describe('StdioChild', () => {
  it('stops the server together with the processes it started', async () => {
    const { child, grandchildPid, errors } = await spawnAndReadGrandchild(serverWithGrandchild());
    expect(isRunning(grandchildPid)).toBe(true);
    expect(errors).toEqual(['the MCP server wrote a line that is not a JSON-RPC message']);

    await expect(child.stop()).resolves.toEqual({ code: null, signal: 'SIGTERM' });
    expect(isRunning(child.pid)).toBe(false);
    await vi.waitFor(() => expect(isRunning(grandchildPid)).toBe(false));
  });

  it('reports the exit code of a server that exits by itself and sweeps what it left behind', async () => {
    const { child, grandchildPid } = await spawnAndReadGrandchild(serverWithGrandchild(3));
    await expect(child.exited).resolves.toEqual({ code: 3, signal: null });
    await vi.waitFor(() => expect(isRunning(grandchildPid)).toBe(false));
  });

  it('rejects when the program cannot be started', async () => {
    await expect(StdioChild.spawn(['/nonexistent/mcp-server'])).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
