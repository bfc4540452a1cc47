import { describe, expect, it } from 'vitest';
import { parseBridgeArgs, UsageError } from './bridge-args.ts';

const serverCommand = ['node', 'server.js', '--stdio'];

describe('parseBridgeArgs', () => {
  it('takes the command after -- and leaves port and host to the defaults', () => {
    expect(parseBridgeArgs(['--', ...serverCommand], {})).toEqual({ command: serverCommand, port: undefined, host: undefined });
  });

  it('reads --port and --host, in both spellings', () => {
    expect(parseBridgeArgs(['--port', '0', '--host=0.0.0.0', '--', 'server'], {})).toEqual({
      command: ['server'],
      port: 0,
      host: '0.0.0.0',
    });
  });

  it('falls back to MCP_SERVER_COMMAND, BRIDGE_PORT and BRIDGE_HOST', () => {
    const env = { MCP_SERVER_COMMAND: JSON.stringify(serverCommand), BRIDGE_PORT: '8080', BRIDGE_HOST: '0.0.0.0' };
    expect(parseBridgeArgs([], env)).toEqual({ command: serverCommand, port: 8080, host: '0.0.0.0' });
  });

  it('lets flags and the command line win over the environment', () => {
    const env = { MCP_SERVER_COMMAND: '["other"]', BRIDGE_PORT: '8080', BRIDGE_HOST: '0.0.0.0' };
    expect(parseBridgeArgs(['--port', '9000', '--host', '127.0.0.1', '--', 'server'], env)).toEqual({
      command: ['server'],
      port: 9000,
      host: '127.0.0.1',
    });
  });

  it('treats empty environment variables as unset', () => {
    expect(parseBridgeArgs(['--', 'server'], { BRIDGE_PORT: '', BRIDGE_HOST: '' })).toEqual({
      command: ['server'],
      port: undefined,
      host: undefined,
    });
  });

  it.each([
    { argv: [], env: {}, message: /no MCP server command/ },
    { argv: ['--'], env: {}, message: /no MCP server command/ },
    { argv: [], env: { MCP_SERVER_COMMAND: 'node server.js' }, message: /JSON array of strings/ },
    { argv: [], env: { MCP_SERVER_COMMAND: '[]' }, message: /JSON array of strings/ },
    { argv: [], env: { MCP_SERVER_COMMAND: '["node", 1]' }, message: /JSON array of strings/ },
    { argv: ['--port', 'http', '--', 'server'], env: {}, message: /--port must be a port number/ },
    { argv: ['--port', '65536', '--', 'server'], env: {}, message: /--port must be a port number/ },
    { argv: ['--', 'server'], env: { BRIDGE_PORT: '-1' }, message: /BRIDGE_PORT must be a port number/ },
    { argv: ['--host=', '--', 'server'], env: {}, message: /--host must not be empty/ },
    { argv: ['--verbose', '--', 'server'], env: {}, message: /Unknown option '--verbose'/ },
    { argv: ['--port'], env: {}, message: /--port/ },
    { argv: ['node', 'server.js'], env: {}, message: /put the command after --/ },
  ])('refuses $argv with $env', ({ argv, env, message }) => {
    expect(() => parseBridgeArgs(argv, env)).toThrow(UsageError);
    expect(() => parseBridgeArgs(argv, env)).toThrow(message);
  });
});
