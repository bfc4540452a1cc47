// One way to get the Node this project pins, for people and for CI. `npm run dev` and `npm test`
// start here: on a Node older than the project needs (22.12), it fetches the Node of .nvmrc from
// the npm registry into .tools/node (git-ignored), says so in one line, and runs the npm script on
// it; on a new enough Node it runs the script as it is. `.ci/run` uses `--bin`, which always gives
// exactly .nvmrc's Node. A cached .tools/node is used only when it is that version.
// Plain JavaScript on purpose: it must run on the old Node it replaces.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The oldest Node the project runs on (wrangler 4 needs it): major, minor. */
const MINIMUM_MAJOR = 22;
const MINIMUM_MINOR = 12;

/**
 * Whether `version` (as `process.versions.node` gives it) is older than the project needs.
 * @param {string} version
 * @returns {boolean}
 */
export function isTooOld(version) {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  return major < MINIMUM_MAJOR || (major === MINIMUM_MAJOR && minor < MINIMUM_MINOR);
}

/**
 * The Node .nvmrc pins: a major version ("24") or an exact one ("24.21.0").
 * @param {string} [repoRoot]
 * @returns {string}
 */
export function pinnedVersion(repoRoot = root) {
  const text = readFileSync(join(repoRoot, '.nvmrc'), 'utf8').trim().replace(/^v/, '');
  if (!/^\d+(\.\d+){0,2}$/.test(text)) throw new Error(`.nvmrc says "${text}", which is not a Node version`);
  return text;
}

/**
 * Whether `version` ("v24.21.0") is the pinned one: the same major, or the same exact version.
 * @param {string} version
 * @param {string} pinned
 * @returns {boolean}
 */
export function isPinned(version, pinned) {
  const given = version.replace(/^v/, '').split('.');
  return pinned.split('.').every((part, index) => given[index] === part);
}

/**
 * The folder of .nvmrc's Node under `<repoRoot>/.tools/node`, fetched when it is missing or another
 * version (a copy left by an earlier run is never trusted by its presence alone).
 * @param {{ repoRoot?: string, install?: (prefix: string, spec: string) => void, log?: (line: string) => void }} [options]
 * @returns {string}
 */
export function ensurePinnedNode({ repoRoot = root, install = npmInstall, log = (line) => console.error(line) } = {}) {
  const pinned = pinnedVersion(repoRoot);
  const prefix = join(repoRoot, '.tools', 'node');
  const bin = join(prefix, 'node_modules', `node-${process.platform}-${process.arch}`, 'bin');
  const cached = versionOf(join(bin, 'node'));
  if (cached && isPinned(cached, pinned)) return bin;
  log(
    cached
      ? `secure-mcp: .tools/node holds Node ${cached}, not ${pinned} (.nvmrc); fetching ${pinned}`
      : `secure-mcp: fetching Node ${pinned} (.nvmrc) from the npm registry into .tools/node`,
  );
  rmSync(prefix, { recursive: true, force: true });
  install(prefix, `node-${process.platform}-${process.arch}@${pinned}`);
  const fetched = versionOf(join(bin, 'node'));
  if (!fetched || !isPinned(fetched, pinned))
    throw new Error(`fetched Node ${fetched ?? '(none)'} into .tools/node, but .nvmrc says ${pinned}`);
  return bin;
}

/** @param {string} node @returns {string | undefined} */
function versionOf(node) {
  if (!existsSync(node)) return undefined;
  const result = spawnSync(node, ['--version'], { encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : undefined;
}

/** @param {string} prefix @param {string} spec */
function npmInstall(prefix, spec) {
  const result = spawnSync(
    'npm',
    [
      'install',
      '--prefix',
      prefix,
      '--no-save',
      '--no-package-lock',
      '--no-audit',
      '--no-fund',
      '--loglevel=error',
      spec,
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  if (result.status !== 0)
    throw new Error(
      `could not fetch ${spec} from the npm registry; install Node ${pinnedVersion()} yourself (nvm use reads .nvmrc)`,
    );
}

/**
 * The environment for npm running on the fetched Node: that Node first on PATH, and npm's global
 * config (registry, CA file) kept, which npm would otherwise look for beside the new Node.
 * @param {string} bin
 * @returns {NodeJS.ProcessEnv}
 */
function environmentFor(bin) {
  /** @type {NodeJS.ProcessEnv} */
  const env = { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}` };
  const globalConfig = spawnSync('npm', ['config', 'get', 'globalconfig'], { encoding: 'utf8' }).stdout?.trim();
  if (globalConfig && existsSync(globalConfig)) env.NPM_CONFIG_GLOBALCONFIG = globalConfig;
  return env;
}

/** @param {string[]} args */
function main(args) {
  if (args[0] === '--bin') {
    process.stdout.write(`${ensurePinnedNode()}\n`);
    return;
  }
  const [script, ...rest] = args;
  if (!script) throw new Error('usage: node dev/pinned-node.mjs <npm script> [args…] | --bin');
  let env = process.env;
  if (isTooOld(process.versions.node)) {
    // One line for people: the one below says where the Node it runs on comes from.
    const bin = ensurePinnedNode({ log: () => {} });
    env = environmentFor(bin);
    const running = versionOf(join(bin, 'node'));
    console.error(
      `secure-mcp: this Node is ${process.version}, older than ${MINIMUM_MAJOR}.${MINIMUM_MINOR}; running on Node ${running} from .tools/node (.nvmrc)`,
    );
  }
  const child = spawn('npm', ['run', script, ...(rest.length > 0 ? ['--', ...rest] : [])], { stdio: 'inherit', env });
  // Ctrl-C reaches the script from the terminal already (same process group): stay until it ends.
  process.on('SIGINT', () => {});
  process.on('SIGTERM', () => child.kill('SIGTERM'));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    main(process.argv.slice(2));
  } catch (error) {
    console.error(`secure-mcp: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}
