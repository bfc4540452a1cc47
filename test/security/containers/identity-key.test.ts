/**
 * Attack (docs/security.md, 20): the stdio MCP server, which runs whatever code a tool runs, hunts
 * for the key that mints identities, and uses a key that leaked from one container on another.
 *
 * In a real container of the real-container mode, the test stdio server's `probe_identity_key`
 * tries everything a process can (test/containers/stdio-server/probe-identity-key.ts): its own
 * environment; the environ, cmdline, memory, root and file descriptors of every process in
 * /proc (the bridge's and tini's included); every readable file; every listening TCP and unix
 * socket; switching uid and running the uid-switch helper. The needles are the key the container
 * holds and the Worker's own key. The same hunt run with `docker exec` as the bridge's uid finds
 * the key, which shows the hunt would see it if the server ran as the bridge did before.
 *
 * Then a key that leaked from alice's container is used to mint an identity and call bob's
 * bridge directly (through its sidecar's ingress, past the Worker): bob's bridge refuses it, while
 * alice's accepts the same token, and no container holds the Worker's key.
 */
import { readFile } from 'node:fs/promises';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessSubjectFor } from '../../../dev/access-standin/subject.ts';
import { IDENTITY_HEADER, signIdentityToken } from '../../../container/src/identity-token.ts';
import {
  connectAs,
  containersOf,
  docker,
  endSession,
  resultText,
  skipsWithoutEngine,
  startTestContainerStack,
  type TestContainerStack,
} from '../../containers/container-engine.ts';
import type { ProbeReport as ProbeOutput } from '../../containers/stdio-server/probe-identity-key.ts';

/** What a finished hunt reports: the probe fills every part. */
type ProbeReport = Required<ProbeOutput>;

const PROBE_SCRIPT = '/opt/mcp-server/node_modules/secure-mcp-container-test-server/probe-identity-key.mjs';
const CONTAINER_AUDIENCE = 'http://mcp-container/mcp';

describe.skipIf(skipsWithoutEngine())('the stdio server cannot read or use the bridge’s identity key', () => {
  let stack: TestContainerStack | undefined;
  let workerKey: string;
  const containerKeys = new Map<string, string>();

  beforeAll(async () => {
    stack = await startTestContainerStack({ testServer: true });
    const devVars = await readFile(stack.devVarsPath, 'utf8');
    workerKey = JSON.parse(/^IDENTITY_SIGNING_KEY=(.*)$/m.exec(devVars)![1]!) as string;
    for (const email of ['alice@example.com', 'bob@example.com']) {
      const client = await connectAs(stack, email);
      const answer = resultText(await client.callTool({ name: 'echo', arguments: { message: 'up' } }));
      await endSession(client);
      if (answer !== 'Echo: up') throw new Error(`${email}'s container did not answer echo: ${answer}`);
      const [container] = await containersOf(stack, email);
      const env = JSON.parse(
        await docker(stack, ['inspect', '--format', '{{json .Config.Env}}', container!.id]),
      ) as string[];
      containerKeys.set(email, env.find((entry) => entry.startsWith('BRIDGE_IDENTITY_KEY='))!.split('=')[1]!);
    }
  });

  afterAll(async () => {
    await stack?.cleanup();
  });

  it('each container holds a key of its own, and none holds the Worker’s', async () => {
    const alice = containerKeys.get('alice@example.com')!;
    const bob = containerKeys.get('bob@example.com')!;
    expect(alice).toMatch(/^[\w-]{43}$/);
    expect(bob).not.toBe(alice);
    for (const email of containerKeys.keys()) {
      const [container] = await containersOf(stack!, email);
      expect(await docker(stack!, ['inspect', container!.id])).not.toContain(workerKey);
    }
  });

  it('the server’s hunt through environment, /proc, files and sockets finds nothing', async () => {
    const client = await connectAs(stack!, 'alice@example.com');
    let report: ProbeReport;
    try {
      const result = await client.callTool(
        { name: 'probe_identity_key', arguments: { needles: [containerKeys.get('alice@example.com'), workerKey] } },
        undefined,
        { timeout: 120_000 },
      );
      report = JSON.parse(resultText(result)) as ProbeReport;
    } finally {
      await endSession(client);
    }
    expect(report.found).toEqual([]);

    // It really looked: the bridge and tini were there and refused it everything.
    const bridge = report.processes.find((entry) => entry.command === 'node /app/bridge.mjs');
    const tini = report.processes.find((entry) => entry.command.startsWith('/usr/bin/tini'));
    for (const process of [bridge, tini]) {
      expect(process).toMatchObject({ uid: 1000, environ: 'EACCES', mem: 'EACCES', root: 'EACCES', fd: 'EACCES' });
    }
    expect(report.self.uid).not.toBe(1000);
    expect(report.self).toMatchObject({
      capEff: '0000000000000000',
      capPrm: '0000000000000000',
      capAmb: '0000000000000000',
      noNewPrivs: '1',
    });
    expect(report.setuid.length).toBeGreaterThan(0);
    expect(report.setuid.every((attempt) => attempt.outcome === 'EPERM')).toBe(true);
    expect(report.helper).toBe('EACCES');
    expect(report.dockerSocket).toEqual([]);
    expect(report.files.read).toBeGreaterThan(1_000);
    // The bridge answered on its port, and without an identity it refused.
    expect(report.sockets).toContainEqual(
      expect.objectContaining({ target: 'tcp:8080', request: 'POST /mcp', status: '401' }),
    );
  });

  it('the same hunt as the bridge’s uid finds the key (what a server sharing the bridge’s uid would find)', async () => {
    const [container] = await containersOf(stack!, 'alice@example.com');
    const needles = `${containerKeys.get('alice@example.com')!}\n`;
    const report = JSON.parse(
      await docker(stack!, ['exec', '-i', '-u', 'node', container!.id, 'node', PROBE_SCRIPT], needles),
    ) as ProbeReport;
    const where = report.found.map((entry) => entry.where);
    const bridge = report.processes.find((entry) => entry.command === 'node /app/bridge.mjs')!;
    expect(where).toContain(`/proc/${bridge.pid}/environ`);
    // And its memory was open to it (where the key is too, somewhere in the heap).
    expect(bridge).toMatchObject({ environ: 'readable', mem: 'readable' });
  });

  it('a key leaked from alice’s container mints nothing bob’s bridge accepts', async () => {
    const leaked = containerKeys.get('alice@example.com')!;
    const token = await signIdentityToken(
      { userKey: accessSubjectFor('bob@example.com'), email: 'bob@example.com', groups: ['support'] },
      { key: leaked, audience: CONTAINER_AUDIENCE },
    );
    const [alices] = await containersOf(stack!, 'alice@example.com');
    const [bobs] = await containersOf(stack!, 'bob@example.com');
    // Straight to each bridge through its sidecar's published ingress, past the Worker.
    expect(await initializeThroughIngress(stack!, bobs!.sidecarId!, token)).toBe(401);
    expect(await initializeThroughIngress(stack!, alices!.sidecarId!, token)).toBe(200);
  });
});

/** POSTs an MCP initialize with `identity` to the bridge behind a sidecar's ingress (CONNECT 127.0.0.1:8080). */
async function initializeThroughIngress(
  stack: TestContainerStack,
  sidecarId: string,
  identity: string,
): Promise<number> {
  const ports = JSON.parse(
    await docker(stack, ['inspect', '--format', '{{json .NetworkSettings.Ports}}', sidecarId]),
  ) as Record<string, Array<{ HostPort: string }>>;
  const ingressPort = Number(ports['39001/tcp']![0]!.HostPort);
  const socket = await new Promise<import('node:net').Socket>((resolve, reject) => {
    const connect = request({ host: '127.0.0.1', port: ingressPort, method: 'CONNECT', path: '127.0.0.1:8080' });
    connect.on('connect', (response, tunnel) =>
      response.statusCode === 200 ? resolve(tunnel) : reject(new Error(`CONNECT answered ${response.statusCode}`)),
    );
    connect.on('error', reject);
    connect.end();
  });
  const body = JSON.stringify({
    jsonrpc: '2.0',
    id: 1,
    method: 'initialize',
    params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'attacker', version: '1' } },
  });
  return new Promise((resolve, reject) => {
    const post = request(
      {
        createConnection: () => socket,
        host: 'mcp-container',
        path: '/mcp',
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          [IDENTITY_HEADER]: identity,
          'content-length': Buffer.byteLength(body),
        },
      },
      (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      },
    );
    post.on('error', reject);
    post.end(body);
  });
}
