/**
 * The container's egress setting, enforced as the platform enforces it: `McpContainer` turns
 * internet off and sets `allowedHosts` from `MCP_CONTAINER_ALLOWED_HOSTS`; the network sidecar hands
 * every outbound connection of the container to workerd; workerd sends plain HTTP on port 80 to
 * the Worker (`interceptAllOutboundHttp`, which `@cloudflare/containers` uses as soon as
 * `allowedHosts` is set), where `ContainerProxy` (which the Worker must export) lets through only the
 * allowed hosts; anything else, with internet off, goes nowhere.
 *
 * The target is an HTTP server on this machine's loopback (a free port); the allowed host is
 * `127.0.0.1`, so the Worker's own fetch reaches it. The container cannot name it directly (its own
 * 127.0.0.1 is its loopback, which never leaves it), so it connects to port 80 of an address routed
 * nowhere and says `Host: 127.0.0.1:<port>`: workerd builds the request URL from the Host header, and
 * the decision is on that host name, as the platform's is.
 *
 * HTTPS: with an allow-list, `McpContainer` also intercepts HTTPS (without it workerd passes TLS
 * through and drops it, internet being off); the sidecar completes the container's TLS with its
 * own CA, which workerd copies into the container and the bridge makes the stdio server trust.
 */
import { createServer, type Server } from 'node:http';
import { createServer as createTcpServer, type Server as TcpServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  connectAs,
  endSession,
  resultText,
  skipsWithoutEngine,
  startTestContainerStack,
  type TestContainerStack,
} from './container-engine.ts';

/** An address the container cannot reach by itself (198.19.0.0/16 is routed nowhere); only interception carries it. */
const UNROUTED_ADDRESS = '198.19.0.7';
/** workerd intercepts plain HTTP on port 80 only (`setEgressHttp` defaults the port to 80). */
const HTTP_PORT = 80;
/** The first byte of a TLS record carrying a handshake (a ClientHello). */
const TLS_HANDSHAKE = 0x16;

describe.skipIf(skipsWithoutEngine())('egress from a container: internet off, one allowed host', () => {
  let stack: TestContainerStack | undefined;
  let target: Server;
  let port: number;
  const seen: string[] = [];
  let connections = 0;
  let tlsTarget: TcpServer;
  let tlsPort: number;
  /** The start of each connection the second target got. */
  const tlsTargetSaw: string[] = [];

  beforeAll(async () => {
    // Stands for an HTTPS server: it only records what reached it, and answers nothing.
    tlsTarget = createTcpServer((socket) => {
      socket.once('data', (chunk: Buffer) => {
        tlsTargetSaw.push(chunk.toString('latin1', 0, 64));
        socket.destroy();
      });
      socket.on('error', () => {});
    });
    await new Promise<void>((resolve) => tlsTarget.listen(0, '127.0.0.1', resolve));
    tlsPort = (tlsTarget.address() as { port: number }).port;
    target = createServer((request, response) => {
      seen.push(`${request.method} ${request.url} host=${request.headers.host}`);
      response.end(`hello from the loopback target: ${request.url}`);
    });
    target.on('connection', () => (connections += 1));
    await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
    port = (target.address() as { port: number }).port;
    stack = await startTestContainerStack({ testServer: true, settings: { MCP_CONTAINER_ALLOWED_HOSTS: '127.0.0.1' } });
  });

  afterAll(async () => {
    await stack?.cleanup();
    await new Promise((resolve) => target?.close(resolve));
    await new Promise((resolve) => tlsTarget?.close(resolve));
  });

  async function call(name: string, args: Record<string, unknown>): Promise<Record<string, unknown>> {
    const client = await connectAs(stack!, 'alice@example.com');
    try {
      return JSON.parse(resultText(await client.callTool({ name, arguments: args }))) as Record<string, unknown>;
    } finally {
      await endSession(client);
    }
  }

  it('a fetch to the allowed host is carried to it', async () => {
    const answer = await call('http_get', {
      url: `http://${UNROUTED_ADDRESS}:${HTTP_PORT}/allowed`,
      connect: UNROUTED_ADDRESS,
      host: `127.0.0.1:${port}`,
    });
    expect(answer).toEqual({ status: 200, body: 'hello from the loopback target: /allowed' });
    expect(seen).toContain(`GET /allowed host=127.0.0.1:${port}`);
  });

  it('a fetch to another host fails with the platform’s refusal and reaches nothing', async () => {
    const before = { seen: seen.length, connections };
    // By name, through the sidecar's DNS: the name resolves, the request is refused.
    const byName = await call('http_get', { url: 'http://blocked.example.test/by-name' });
    expect(byName).toMatchObject({ status: 520 });
    expect(String(byName.body)).toContain('Origin is disallowed');
    // The same address and port as the allowed request, another host name: refused too.
    const sameAddress = await call('http_get', {
      url: `http://${UNROUTED_ADDRESS}:${HTTP_PORT}/same-address`,
      connect: UNROUTED_ADDRESS,
      host: `localhost:${port}`,
    });
    expect(sameAddress).toMatchObject({ status: 520 });
    expect(seen.length).toBe(before.seen);
    expect(connections).toBe(before.connections);
  });

  it('HTTPS is intercepted with the platform’s CA, which the server trusts: another host is refused', async () => {
    const blocked = await call('http_get', { url: 'https://blocked.example.test/tls' });
    expect(blocked).toMatchObject({ status: 520 });
    expect(String(blocked.body)).toContain('Origin is disallowed');
  });

  it('HTTPS to the allowed host is let through: the Worker opens TLS to it', async () => {
    const before = tlsTargetSaw.length;
    const allowed = await call('http_get', {
      url: 'https://allowed.example.test/tls',
      connect: UNROUTED_ADDRESS,
      host: `127.0.0.1:${tlsPort}`,
      servername: 'allowed.example.test',
    });
    // The target answers no TLS, so the Worker's fetch fails and the container's connection is
    // dropped: but the request was let through (no 520) and the Worker opened TLS to the target.
    expect(allowed.status).not.toBe(520);
    expect(tlsTargetSaw.slice(before).map((start) => start.charCodeAt(0))).toContain(TLS_HANDSHAKE);
  });

  it('everything else is dropped: internet is off', async () => {
    const before = { seen: seen.length, connections };
    // Not HTTP, to the target's port.
    const raw = await call('tcp_send', { connect: UNROUTED_ADDRESS, port, data: 'HELLO, not HTTP\r\n\r\n' });
    expect(raw).toMatchObject({ received: '' });
    expect(['closed', 'ECONNRESET']).toContain(raw.outcome);
    // HTTP on another port, even to the allowed host name: only port 80 is handed to the Worker.
    const otherPort = await call('http_get', {
      url: `http://${UNROUTED_ADDRESS}:${port}/other-port`,
      connect: UNROUTED_ADDRESS,
      host: `127.0.0.1:${port}`,
    });
    expect(otherPort).toHaveProperty('error');
    expect(seen.length).toBe(before.seen);
    expect(connections).toBe(before.connections);
  });
});
