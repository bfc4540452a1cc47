/**
 * Everything a stdio MCP server can try, from inside its container, to find the bridge's identity
 * key (docs/security.md, 20): its own environment, every process's environ, cmdline and memory under
 * /proc, every readable file, every listening TCP and unix socket, and the ways to change uid.
 * Reports where a needle (the key, the Worker's key, or the variable name in an environment) was
 * found, and what it was refused; never the needles themselves.
 *
 * The test server's `probe_identity_key` tool runs it; `probe-cli.ts` runs it as a program, so the
 * tests can run the same hunt as another uid for comparison. Bundled into the test image by
 * test/containers/engine-setup.ts.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync, readlinkSync, readSync, statSync } from 'node:fs';
import { connect, type NetConnectOpts } from 'node:net';

const VARIABLE = 'BRIDGE_IDENTITY_KEY';
const MAX_FILE_BYTES = 4 * 1024 * 1024;
const SKIPPED_TREES = new Set(['/proc', '/sys', '/dev']);

/** What the hunt found and tried. */
export interface ProbeReport {
  found: Array<{ where: string; what: string }>;
  processes: Array<{
    pid: number;
    uid: number | undefined;
    self: boolean;
    command: string;
    environ: string;
    mem: string;
    root: string;
    fd: string;
  }>;
  files: { read: number; denied: string[] };
  sockets: Array<{ target: string; request?: string; outcome: string; status?: string }>;
  /** The probing process's own ids and capabilities (`/proc/self/status`). */
  self?: {
    uid?: number;
    gid?: number;
    groups?: number[];
    capEff?: string;
    capPrm?: string;
    capAmb?: string;
    noNewPrivs?: string;
  };
  setuid?: Array<{ uid: number; outcome: string }>;
  helper?: string;
  dockerSocket?: string[];
}

type Scan = (where: string, text: string | undefined, options?: { variableCounts?: boolean }) => void;

function errorCode(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? (error as Error).message;
}

/** What one look at a place found: `readable` with its text, or the error code that refused it. */
function attempt(read: () => string): { outcome: string; text?: string } {
  try {
    return { outcome: 'readable', text: read() };
  } catch (error) {
    return { outcome: errorCode(error) };
  }
}

function scanner(needles: string[], report: ProbeReport): Scan {
  return (where, text, { variableCounts = true } = {}) => {
    if (typeof text !== 'string') return;
    needles.forEach((needle, index) => {
      if (needle && text.includes(needle)) report.found.push({ where, what: `needle ${index}` });
    });
    if (variableCounts && text.includes(`${VARIABLE}=`))
      report.found.push({ where, what: `${VARIABLE}= in an environment` });
  };
}

/** A few readable regions of another process's memory (needs the same access as ptrace). */
function readMemory(pid: number): string {
  const fd = openSync(`/proc/${pid}/mem`, 'r');
  try {
    const maps = readFileSync(`/proc/${pid}/maps`, 'utf8')
      .split('\n')
      .filter((line) => / r[w-]/.test(line));
    let text = '';
    for (const line of maps.slice(0, 64)) {
      const [start, end] = (line.split(' ')[0] ?? '').split('-').map((hex) => BigInt(`0x${hex}`));
      if (start === undefined || end === undefined) continue;
      const length = Number(end - start < 1_048_576n ? end - start : 1_048_576n);
      const buffer = Buffer.alloc(length);
      try {
        readSync(fd, buffer, 0, length, start);
        text += buffer.toString('latin1');
      } catch {
        // an unreadable region
      }
    }
    return text;
  } finally {
    closeSync(fd);
  }
}

function processes(scan: Scan, report: ProbeReport): void {
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    const status = attempt(() => readFileSync(`/proc/${pid}/status`, 'utf8'));
    const uid = status.text ? Number(/^Uid:\s+(\d+)/m.exec(status.text)?.[1]) : undefined;
    const cmdline = attempt(() => readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim());
    const environ = attempt(() => readFileSync(`/proc/${pid}/environ`, 'utf8'));
    const mem = attempt(() => readMemory(pid));
    const root = attempt(() => readdirSync(`/proc/${pid}/root/`).join(','));
    const fds = attempt(() =>
      readdirSync(`/proc/${pid}/fd`)
        .map((fd) => readlinkSync(`/proc/${pid}/fd/${fd}`))
        .join('\n'),
    );
    const self = pid === process.pid;
    scan(`/proc/${pid}/cmdline`, cmdline.text);
    scan(`/proc/${pid}/environ`, environ.text);
    // Our own memory holds the needles we were given: only other processes' memory counts.
    if (!self) scan(`/proc/${pid}/mem`, mem.text, { variableCounts: false });
    report.processes.push({
      pid,
      uid,
      self,
      command: (cmdline.text ?? '').slice(0, 80),
      environ: environ.outcome,
      mem: mem.outcome,
      root: root.outcome,
      fd: fds.outcome,
    });
  }
}

function files(scan: Scan, report: ProbeReport, directory = '/'): void {
  let entries;
  try {
    entries = readdirSync(directory, { withFileTypes: true });
  } catch (error) {
    report.files.denied.push(`${directory} (${errorCode(error)})`);
    return;
  }
  for (const entry of entries) {
    const path = directory === '/' ? `/${entry.name}` : `${directory}/${entry.name}`;
    if (SKIPPED_TREES.has(path)) continue;
    if (entry.isDirectory()) files(scan, report, path);
    else if (entry.isFile()) {
      try {
        if (statSync(path).size > MAX_FILE_BYTES) continue;
        scan(path, readFileSync(path, 'latin1'), { variableCounts: false });
        report.files.read += 1;
      } catch (error) {
        report.files.denied.push(`${path} (${errorCode(error)})`);
      }
    }
  }
}

function listeningTcpPorts(): number[] {
  const ports = new Set<number>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const text = attempt(() => readFileSync(table, 'utf8')).text ?? '';
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields[3] === '0A') ports.add(Number.parseInt(fields[1]?.split(':').at(-1) ?? '', 16));
    }
  }
  return [...ports];
}

function unixSocketPaths(): string[] {
  const text = attempt(() => readFileSync('/proc/net/unix', 'utf8')).text ?? '';
  return text
    .split('\n')
    .slice(1)
    .map((line) => line.trim().split(/\s+/)[7])
    .filter((path): path is string => path !== undefined && path.startsWith('/'));
}

function talk(options: NetConnectOpts, request: string): Promise<{ outcome: string; answer: string }> {
  return new Promise((resolve) => {
    const socket = connect(options);
    let answer = '';
    const done = (outcome: string) => {
      socket.destroy();
      resolve({ outcome, answer });
    };
    socket.setTimeout(2_000, () => done('timeout'));
    socket.on('connect', () => socket.write(request));
    socket.on('data', (chunk: Buffer) => {
      answer += chunk.toString('latin1');
      if (answer.length > 65_536) done('answered');
    });
    socket.on('end', () => done('answered'));
    socket.on('error', (error) => done(errorCode(error)));
  });
}

async function sockets(scan: Scan, report: ProbeReport): Promise<void> {
  const body =
    '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"probe","version":"1"}}}';
  const requests = [
    'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n',
    'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n',
    'GET /ca HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n',
    `POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
    'CONNECT 127.0.0.1:8080 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n',
  ];
  for (const port of listeningTcpPorts()) {
    for (const request of requests) {
      const { outcome, answer } = await talk({ host: '127.0.0.1', port }, request);
      const what = request.split(' ', 2).join(' ');
      scan(`tcp 127.0.0.1:${port} ${what}`, answer);
      report.sockets.push({
        target: `tcp:${port}`,
        request: what,
        outcome,
        status: /^HTTP\/1\.\d (\d+)/.exec(answer)?.[1],
      });
    }
  }
  for (const path of unixSocketPaths()) {
    const { outcome, answer } = await talk({ path }, requests[0]!);
    scan(`unix ${path}`, answer);
    report.sockets.push({ target: `unix:${path}`, outcome });
  }
}

function privileges(report: ProbeReport): void {
  const status = readFileSync('/proc/self/status', 'utf8');
  const field = (name: string) => new RegExp(`^${name}:[ \\t]*(.*)$`, 'm').exec(status)?.[1]?.trim();
  report.self = {
    uid: process.getuid?.(),
    gid: process.getgid?.(),
    groups: process.getgroups?.(),
    capEff: field('CapEff'),
    capPrm: field('CapPrm'),
    capAmb: field('CapAmb'),
    noNewPrivs: field('NoNewPrivs'),
  };
  const mine = process.getuid?.();
  const others = [
    ...new Set(
      report.processes.map((entry) => entry.uid).filter((uid): uid is number => uid !== undefined && uid !== mine),
    ),
  ];
  report.setuid = others.map((uid) => {
    try {
      process.setuid?.(uid);
      return { uid, outcome: 'switched' };
    } catch (error) {
      return { uid, outcome: errorCode(error) };
    }
  });
  const run = spawnSync('/usr/local/libexec/secure-mcp/run-as-server', ['--reuid=0', '--', '/bin/true']);
  report.helper = run.error ? errorCode(run.error) : `exit ${run.status}`;
  report.dockerSocket = ['/var/run/docker.sock', '/run/docker.sock'].filter(
    (path) => attempt(() => String(statSync(path).size)).outcome === 'readable',
  );
}

/**
 * Runs the whole hunt for `needles`.
 *
 * @example
 * ```ts
 * const report = await probeIdentityKey([containerKey, workerKey]);
 * report.found; // [] when nothing is found
 * ```
 */
export async function probeIdentityKey(needles: string[]): Promise<ProbeReport> {
  const report: ProbeReport = { found: [], processes: [], files: { read: 0, denied: [] }, sockets: [] };
  const scan = scanner(needles, report);
  for (const [name, value] of Object.entries(process.env)) scan(`own environment ${name}`, `${name}=${value}`);
  processes(scan, report);
  files(scan, report);
  await sockets(scan, report);
  privileges(report);
  report.files.denied = report.files.denied.slice(0, 50);
  return report;
}
