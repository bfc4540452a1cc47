// Everything a stdio MCP server can try, from inside its container, to find the bridge's identity
// key (docs/security.md, 20): its own environment, every process's environ, cmdline and memory under
// /proc, every readable file, every listening TCP and unix socket, and the ways to change uid.
// Reports where a needle (the key, the Worker's key, or the variable name in an environment) was
// found, and what it was refused; never the needles themselves.
//
// As a module: probeIdentityKey(needles). As a program (`docker exec -i -u <user> … node
// probe-identity-key.mjs`, the needles on stdin, one per line, so that they are in no command line):
// prints the report as JSON, so the tests can run the same hunt as another uid for comparison.
import { spawnSync } from 'node:child_process';
import { openSync, readFileSync, readSync, closeSync, readdirSync, readlinkSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';

const VARIABLE = 'BRIDGE_IDENTITY_KEY';
const MAX_FILE_BYTES = 4 * 1024 * 1024;
const SKIPPED_TREES = new Set(['/proc', '/sys', '/dev']);

/** What one look at a place found: `readable`, or the error code that refused it. */
function attempt(read) {
  try {
    return { outcome: 'readable', text: read() };
  } catch (error) {
    return { outcome: error.code ?? String(error.message) };
  }
}

function scanner(needles, report) {
  return (where, text, { variableCounts = true } = {}) => {
    if (typeof text !== 'string') return;
    needles.forEach((needle, index) => {
      if (needle && text.includes(needle)) report.found.push({ where, what: `needle ${index}` });
    });
    if (variableCounts && text.includes(`${VARIABLE}=`))
      report.found.push({ where, what: `${VARIABLE}= in an environment` });
  };
}

function processes(scan, report) {
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    const status = attempt(() => readFileSync(`/proc/${pid}/status`, 'utf8'));
    const uid = status.text ? Number(/^Uid:\s+(\d+)/m.exec(status.text)?.[1]) : undefined;
    const cmdline = attempt(() => readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim());
    const environ = attempt(() => readFileSync(`/proc/${pid}/environ`, 'utf8'));
    const mem = attempt(() => {
      // Reading another process's memory needs the same access as ptrace: a few pages are enough to tell.
      const fd = openSync(`/proc/${pid}/mem`, 'r');
      try {
        const maps = readFileSync(`/proc/${pid}/maps`, 'utf8')
          .split('\n')
          .filter((line) => / r[w-]/.test(line));
        let text = '';
        for (const line of maps.slice(0, 64)) {
          const [start, end] = line
            .split(' ')[0]
            .split('-')
            .map((hex) => BigInt(`0x${hex}`));
          const length = Number(end - start < 1_048_576n ? end - start : 1_048_576n);
          const buffer = Buffer.alloc(length);
          try {
            readSync(fd, buffer, 0, length, start);
            text += buffer.toString('latin1');
          } catch {
            // unreadable region
          }
        }
        return text;
      } finally {
        closeSync(fd);
      }
    });
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

function files(scan, report, directory = '/') {
  let entries;
  try {
    entries = readdirSync(directory, { withFileTypes: true });
  } catch (error) {
    report.files.denied.push(`${directory} (${error.code})`);
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
        report.files.denied.push(`${path} (${error.code})`);
      }
    }
  }
}

function listeningTcpPorts() {
  const ports = new Set();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const text = attempt(() => readFileSync(table, 'utf8')).text ?? '';
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields[3] === '0A') ports.add(Number.parseInt(fields[1].split(':').at(-1), 16));
    }
  }
  return [...ports];
}

function unixSocketPaths() {
  const text = attempt(() => readFileSync('/proc/net/unix', 'utf8')).text ?? '';
  return text
    .split('\n')
    .slice(1)
    .map((line) => line.trim().split(/\s+/)[7])
    .filter((path) => path && path.startsWith('/'));
}

function talk(options, request) {
  return new Promise((resolve) => {
    const socket = connect(options);
    let answer = '';
    const done = (outcome) => {
      socket.destroy();
      resolve({ outcome, answer });
    };
    socket.setTimeout(2_000, () => done('timeout'));
    socket.on('connect', () => socket.write(request));
    socket.on('data', (chunk) => {
      answer += chunk.toString('latin1');
      if (answer.length > 65_536) done('answered');
    });
    socket.on('end', () => done('answered'));
    socket.on('error', (error) => done(error.code ?? error.message));
  });
}

async function sockets(scan, report) {
  const requests = [
    'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n',
    'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n',
    'GET /ca HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n',
    (() => {
      const body =
        '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"probe","version":"1"}}}';
      return `POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`;
    })(),
    'CONNECT 127.0.0.1:8080 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n',
  ];
  for (const port of listeningTcpPorts()) {
    for (const request of requests) {
      const { outcome, answer } = await talk({ host: '127.0.0.1', port }, request);
      scan(`tcp 127.0.0.1:${port} ${request.split(' ', 2).join(' ')}`, answer);
      report.sockets.push({
        target: `tcp:${port}`,
        request: request.split(' ', 2).join(' '),
        outcome,
        status: /^HTTP\/1\.\d (\d+)/.exec(answer)?.[1],
      });
    }
  }
  for (const path of unixSocketPaths()) {
    const { outcome, answer } = await talk({ path }, requests[0]);
    scan(`unix ${path}`, answer);
    report.sockets.push({ target: `unix:${path}`, outcome });
  }
}

function privileges(report) {
  const status = readFileSync('/proc/self/status', 'utf8');
  const field = (name) => new RegExp(`^${name}:[ \\t]*(.*)$`, 'm').exec(status)?.[1]?.trim();
  report.self = {
    uid: process.getuid(),
    gid: process.getgid(),
    groups: process.getgroups(),
    capEff: field('CapEff'),
    capPrm: field('CapPrm'),
    capAmb: field('CapAmb'),
    noNewPrivs: field('NoNewPrivs'),
  };
  const others = [
    ...new Set(
      report.processes.map((entry) => entry.uid).filter((uid) => uid !== undefined && uid !== process.getuid()),
    ),
  ];
  report.setuid = others.map((uid) => {
    try {
      process.setuid(uid);
      return { uid, outcome: 'switched' };
    } catch (error) {
      return { uid, outcome: error.code ?? error.message };
    }
  });
  const helper = '/usr/local/libexec/secure-mcp/run-as-server';
  const run = spawnSync(helper, ['--reuid=0', '--', '/bin/true']);
  report.helper = run.error ? (run.error.code ?? run.error.message) : `exit ${run.status}`;
  report.dockerSocket = ['/var/run/docker.sock', '/run/docker.sock'].filter(
    (path) => attempt(() => statSync(path)).outcome === 'readable',
  );
}

/** Runs the whole hunt. */
export async function probeIdentityKey(needles) {
  const report = { found: [], processes: [], files: { read: 0, denied: [] }, sockets: [] };
  const scan = scanner(needles, report);
  for (const [name, value] of Object.entries(process.env)) scan(`own environment ${name}`, `${name}=${value}`);
  processes(scan, report);
  files(scan, report);
  await sockets(scan, report);
  privileges(report);
  report.files.denied = report.files.denied.slice(0, 50);
  return report;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const needles = readFileSync(0, 'utf8').split('\n').filter(Boolean);
  process.stdout.write(`${JSON.stringify(await probeIdentityKey(needles))}\n`);
}
