import { describe, expect, it } from 'vitest';
import { parseBridgeArgs, UsageError } from './bridge-args.ts';

const serverCommand = ['node', 'server.js', '--stdio'];

describe('parseBridgeArgs', () => {
  it('takes the command after -- and leaves port and host to the defaults', () => {
    expect(parseBridgeArgs(['--', ...serverCommand], {})).toEqual({
      command: serverCommand,
      port: undefined,
      host: undefined,
    });
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

  it('gives the stdio server exactly the variables MCP_SERVER_ENV names', () => {
    const env = {
      MCP_SERVER_ENV: 'GITHUB_TOKEN, API_URL',
      GITHUB_TOKEN: 'ghp_x',
      API_URL: 'https://api',
      BRIDGE_IDENTITY_KEY: 'not for the child',
    };
    expect(parseBridgeArgs(['--', 'server'], env).env).toEqual({ GITHUB_TOKEN: 'ghp_x', API_URL: 'https://api' });
    expect(() => parseBridgeArgs(['--', 'server'], { MCP_SERVER_ENV: 'MISSING' })).toThrow(
      /MCP_SERVER_ENV names MISSING, which is not set/,
    );
  });

  it('reads sharing, the user environment and limits from the environment', () => {
    const args = parseBridgeArgs(['--', 'server'], {
      MCP_SERVER_SHARED: '1',
      MCP_SERVER_USER_ENV: 'true',
      BRIDGE_REQUEST_TIMEOUT_MS: '5000',
      BRIDGE_MAX_CHILDREN: '4',
    });
    expect(args.shareChildPerUser).toBe(true);
    expect(args.limits).toEqual({ requestTimeoutMs: 5000, maxChildren: 4 });
    expect(args.identityEnv?.({ userKey: 'u1', email: 'a@example.com', groups: ['eng', 'ops'] })).toEqual({
      MCP_USER_KEY: 'u1',
      MCP_USER_EMAIL: 'a@example.com',
      MCP_USER_GROUPS: 'eng,ops',
    });
    expect(parseBridgeArgs(['--', 'server'], {}).identityEnv).toBeUndefined();
    expect(() => parseBridgeArgs(['--', 'server'], { MCP_SERVER_SHARED: 'yes' })).toThrow(
      /MCP_SERVER_SHARED must be 1 or 0/,
    );
    expect(() => parseBridgeArgs(['--', 'server'], { BRIDGE_DRAIN_MS: '-5' })).toThrow(
      /BRIDGE_DRAIN_MS must be a positive whole number/,
    );
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
