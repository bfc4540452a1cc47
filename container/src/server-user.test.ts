import { describe, expect, it } from 'vitest';
import { UsageError } from './bridge-args.ts';
import { commandAsServerUser, environmentForServerUser, serverUserFromEnv } from './server-user.ts';

const passwd = [
  'root:x:0:0:root:/root:/bin/bash',
  'node:x:1000:1000::/home/node:/bin/bash',
  'mcp-server:x:999:999::/home/mcp-server:/usr/sbin/nologin',
].join('\n');
const helper = '/usr/local/libexec/secure-mcp/run-as-server';

describe('the stdio server’s own user', () => {
  it('is read from MCP_SERVER_USER and MCP_SERVER_RUN_AS, with its ids and home from /etc/passwd', () => {
    expect(serverUserFromEnv({ MCP_SERVER_USER: 'mcp-server', MCP_SERVER_RUN_AS: helper }, passwd)).toEqual({
      name: 'mcp-server',
      uid: 999,
      gid: 999,
      home: '/home/mcp-server',
      helper,
    });
    expect(serverUserFromEnv({}, passwd)).toBeUndefined();
  });

  it('refuses half a setting, an unknown user, root, and a relative helper', () => {
    const attempts = [
      { MCP_SERVER_USER: 'mcp-server' },
      { MCP_SERVER_RUN_AS: helper },
      { MCP_SERVER_USER: 'nobody-here', MCP_SERVER_RUN_AS: helper },
      { MCP_SERVER_USER: 'root', MCP_SERVER_RUN_AS: helper },
      { MCP_SERVER_USER: 'mcp-server', MCP_SERVER_RUN_AS: 'run-as-server' },
    ];
    for (const env of attempts) expect(() => serverUserFromEnv(env, passwd)).toThrow(UsageError);
  });

  it('starts the command through the helper: its uid, its gid, no groups, no new privileges, no shell', () => {
    const user = serverUserFromEnv({ MCP_SERVER_USER: 'mcp-server', MCP_SERVER_RUN_AS: helper }, passwd)!;
    expect(commandAsServerUser(['node', 'server.js', '--flag'], user)).toEqual([
      helper,
      '--reuid=999',
      '--regid=999',
      '--clear-groups',
      '--no-new-privs',
      '--',
      'node',
      'server.js',
      '--flag',
    ]);
    expect(environmentForServerUser(user)).toEqual({
      HOME: '/home/mcp-server',
      USER: 'mcp-server',
      LOGNAME: 'mcp-server',
    });
  });
});
