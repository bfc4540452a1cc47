/**
 * The stdio MCP server runs under a uid of its own, never the bridge's (docs/security.md, 20):
 * the bridge holds the identity key (in its environment and memory), and a process of the same uid
 * could read it through `/proc/<bridge>/environ` or `/proc/<bridge>/mem`, or trace the bridge.
 * Under another uid, and with no capabilities, the server can do none of that.
 *
 * The bridge itself is not root and cannot switch uids. The image gives it one way to, and only it
 * (`container/Dockerfile`): a copy of util-linux's `setpriv`, executable by the bridge's group only,
 * with the file capabilities `cap_setuid,cap_setgid`. Every server starts through it:
 * `setpriv --reuid=<uid> --regid=<gid> --clear-groups --no-new-privs -- <command>`; the server keeps
 * no capability across its exec (it has none to inherit) and `no_new_privs` stops it gaining any.
 * Signals go the same way, since the bridge may not signal another uid's processes.
 *
 * Settings (the Dockerfile sets both): `MCP_SERVER_USER` (the user's name in /etc/passwd) and
 * `MCP_SERVER_RUN_AS` (the helper's path). The bridge checks at start that the switch works and
 * refuses to start otherwise (one line on stderr), rather than run the server as itself.
 */
import { execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { UsageError } from './bridge-args.ts';

const run = promisify(execFile);

/** The user the stdio servers run as, and the helper that switches to it. */
export interface ServerUser {
  name: string;
  uid: number;
  gid: number;
  home: string;
  /** Path of the `setpriv` copy with `cap_setuid,cap_setgid`. */
  helper: string;
}

/**
 * Reads `MCP_SERVER_USER` and `MCP_SERVER_RUN_AS` (both or neither) and looks the user up in
 * `passwd` (the text of /etc/passwd). `undefined` when neither is set. Throws {@link UsageError}.
 *
 * @example
 * ```ts
 * serverUserFromEnv({ MCP_SERVER_USER: 'mcp-server', MCP_SERVER_RUN_AS: '/usr/local/libexec/secure-mcp/run-as-server' }, passwd);
 * ```
 */
export function serverUserFromEnv(
  env: Readonly<Record<string, string | undefined>>,
  passwd: string,
): ServerUser | undefined {
  const name = env.MCP_SERVER_USER?.trim() ?? '';
  const helper = env.MCP_SERVER_RUN_AS?.trim() ?? '';
  if (name === '' && helper === '') return undefined;
  if (name === '' || helper === '')
    throw new UsageError(
      'MCP_SERVER_USER and MCP_SERVER_RUN_AS go together: the server’s user and the helper that switches to it',
    );
  if (!helper.startsWith('/')) throw new UsageError(`MCP_SERVER_RUN_AS must be an absolute path, got "${helper}"`);
  const entry = passwd
    .split('\n')
    .map((line) => line.split(':'))
    .find((fields) => fields[0] === name);
  if (!entry || entry.length < 7) throw new UsageError(`MCP_SERVER_USER names ${name}, who is not in /etc/passwd`);
  const [uid, gid] = [Number(entry[2]), Number(entry[3])];
  if (!Number.isInteger(uid) || !Number.isInteger(gid))
    throw new UsageError(`the passwd entry of ${name} is malformed`);
  if (uid === 0) throw new UsageError('MCP_SERVER_USER must not be root');
  return { name, uid, gid, home: entry[5] || '/', helper };
}

/** {@link serverUserFromEnv} with this machine's /etc/passwd. */
export function readServerUser(
  env: Readonly<Record<string, string | undefined>> = process.env,
): ServerUser | undefined {
  if (!env.MCP_SERVER_USER && !env.MCP_SERVER_RUN_AS) return undefined;
  return serverUserFromEnv(env, readFileSync('/etc/passwd', 'utf8'));
}

/**
 * `command` started as `user` through the helper.
 *
 * @example
 * ```ts
 * commandAsServerUser(['node', 'server.js'], user); // ['/usr/local/libexec/secure-mcp/run-as-server', '--reuid=1001', …, '--', 'node', 'server.js']
 * ```
 */
export function commandAsServerUser(command: readonly string[], user: ServerUser): string[] {
  return [
    user.helper,
    `--reuid=${user.uid}`,
    `--regid=${user.gid}`,
    '--clear-groups',
    '--no-new-privs',
    '--',
    ...command,
  ];
}

/** The variables that name the user to the server (the rest of its environment stays as configured). */
export function environmentForServerUser(user: ServerUser): Record<string, string> {
  return { HOME: user.home, USER: user.name, LOGNAME: user.name };
}

/**
 * Signals process group `processGroup`, which belongs to `user`, from the user's side (the bridge
 * may not signal another uid). Fire and forget: a group that is gone is not an error.
 *
 * @example
 * ```ts
 * StdioChild.signalForeignGroup = (group, signal) => signalAsServerUser(user, group, signal);
 * ```
 */
export function signalAsServerUser(user: ServerUser, processGroup: number, signal: NodeJS.Signals): void {
  const script = `try { process.kill(-${processGroup}, ${JSON.stringify(signal)}) } catch {}`;
  const child = spawn(user.helper, commandAsServerUser([process.execPath, '-e', script], user).slice(1), {
    stdio: 'ignore',
    env: {},
  });
  child.on('error', () => {});
  child.unref();
}

/**
 * Proves the switch works before the bridge serves anyone: a process started through the helper
 * must run with the user's uid and gid in all four slots, no supplementary groups, no capabilities
 * and `no_new_privs`. Throws with what differs.
 *
 * @example
 * ```ts
 * await checkServerUser(user); // throws when the image or the runtime does not allow the switch
 * ```
 */
export async function checkServerUser(user: ServerUser): Promise<void> {
  let status: string;
  try {
    ({ stdout: status } = await run(
      user.helper,
      commandAsServerUser(['/bin/cat', '/proc/self/status'], user).slice(1),
      {
        env: {},
        cwd: '/',
      },
    ));
  } catch (error) {
    const { stderr } = error as { stderr?: string };
    throw new Error(
      `cannot start a process as ${user.name} through ${user.helper}: ${(stderr || (error as Error).message).trim()}` +
        ' (the helper needs the file capabilities cap_setuid,cap_setgid, which a runtime with no_new_privs ignores)',
      { cause: error },
    );
  }
  const field = (name: string) =>
    (new RegExp(`^${name}:[ \\t]*(.*)$`, 'm').exec(status)?.[1] ?? '').split(/\s+/).filter(Boolean);
  const problems: string[] = [];
  if (!field('Uid').every((id) => Number(id) === user.uid)) problems.push(`uids ${field('Uid').join(' ')}`);
  if (!field('Gid').every((id) => Number(id) === user.gid)) problems.push(`gids ${field('Gid').join(' ')}`);
  if (field('Groups').length > 0) problems.push(`groups ${field('Groups').join(' ')}`);
  for (const set of ['CapInh', 'CapPrm', 'CapEff', 'CapAmb'])
    if (!/^0+$/.test(field(set)[0] ?? '')) problems.push(`${set} ${field(set).join(' ')}`);
  if (field('NoNewPrivs')[0] !== '1') problems.push('no_new_privs is off');
  if (problems.length > 0) throw new Error(`a process started as ${user.name} is not confined: ${problems.join(', ')}`);
}
