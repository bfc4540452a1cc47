/**
 * The sidecar's egress proxy: every outbound TCP connection of the container arrives here (the
 * firewall redirects it), and goes on to workerd as an HTTP `CONNECT <original address:port>` on
 * workerd's egress listener, with `X-Tls-Sni` for TLS or `X-Hostname` for HTTP, which is how the
 * real sidecar hands egress to workerd (`EgressHttpService::connect` in workerd's
 * `container-client.c++`). workerd then decides: a request it intercepts (`200`) goes to the
 * Worker's outbound handler (for `@cloudflare/containers`, `ContainerProxy`, which applies
 * `enableInternet`, `allowedHosts` and `deniedHosts`); anything else (`202`) passes through only
 * when the container's internet is on. The sidecar itself decides nothing.
 */
import { request } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import { Duplex } from 'node:stream';
import { TLSSocket } from 'node:tls';
import type { EgressConfig } from './egress-config.ts';
import { sniffFirstBytes, type FirstBytes } from './first-bytes.ts';
import { EGRESS_PROXY_PORT } from './firewall.ts';
import { lookUpOriginalDestination, type Endpoint } from './original-destination.ts';
import type { InterceptionCa } from './tls-interception.ts';

/** How long the proxy waits for the container to speak first before it tunnels without a hint. */
const SNIFF_TIMEOUT_MS = 2_000;

/** What the proxy needs from the rest of the sidecar. */
export interface EgressProxyOptions {
  /** The Docker gateway, where workerd's egress listener is. */
  gateway: string;
  /** The current egress settings (workerd may change the port). */
  config(): EgressConfig;
  /** The CA for HTTPS interception (`--tls-intercept`); without it, TLS workerd wants to see is dropped. */
  ca?: InterceptionCa;
  log(event: string, fields?: Record<string, unknown>): void;
}

/**
 * Starts the egress proxy on 127.0.0.1:{@link EGRESS_PROXY_PORT}.
 *
 * @example
 * ```ts
 * await startEgressProxy({ gateway: '198.18.0.1', config: () => current, log });
 * ```
 */
export function startEgressProxy(options: EgressProxyOptions): Promise<Server> {
  const server = createServer((socket) => void handleConnection(socket, options));
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(EGRESS_PROXY_PORT, '127.0.0.1', () => resolve(server));
  });
}

async function handleConnection(socket: Socket, options: EgressProxyOptions): Promise<void> {
  socket.on('error', () => socket.destroy());
  // No Nagle delay on relayed bytes (see ingress-server.ts).
  socket.setNoDelay(true);
  const client = { address: (socket.remoteAddress ?? '').replace(/^::ffff:/, ''), port: socket.remotePort ?? 0 };
  const destination = await lookUpOriginalDestination(client, EGRESS_PROXY_PORT).catch(() => undefined);
  if (!destination) {
    options.log('egress.unknown_destination', { client: `${client.address}:${client.port}` });
    socket.destroy();
    return;
  }
  const { bytes, sniffed } = await readFirstBytes(socket);
  const hints: Record<string, string> = {};
  if (sniffed.kind === 'tls' && sniffed.serverName) hints['X-Tls-Sni'] = sniffed.serverName;
  if (sniffed.kind === 'http' && sniffed.hostname) hints['X-Hostname'] = sniffed.hostname;
  openTunnel(socket, destination, bytes, sniffed, hints, options);
}

/** Reads until the first bytes tell what the stream is, or the container waits for the server to speak. */
function readFirstBytes(socket: Socket): Promise<{ bytes: Buffer; sniffed: FirstBytes }> {
  return new Promise((resolve) => {
    let bytes = Buffer.alloc(0);
    const finish = (sniffed: FirstBytes) => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.pause();
      resolve({ bytes, sniffed });
    };
    const onData = (chunk: Buffer) => {
      bytes = Buffer.concat([bytes, chunk]);
      const sniffed = sniffFirstBytes(bytes);
      if (sniffed.kind !== 'incomplete') finish(sniffed);
    };
    const onEnd = () => finish({ kind: 'other' });
    const timer = setTimeout(() => finish({ kind: 'other' }), SNIFF_TIMEOUT_MS);
    socket.on('data', onData);
    socket.once('end', onEnd);
  });
}

function openTunnel(
  socket: Socket,
  destination: Endpoint,
  bytes: Buffer,
  sniffed: FirstBytes,
  hints: Record<string, string>,
  options: EgressProxyOptions,
): void {
  const authority = `${destination.address}:${destination.port}`;
  const { port } = options.config();
  const connectRequest = request({
    host: options.gateway,
    port,
    method: 'CONNECT',
    path: authority,
    headers: { host: authority, ...hints },
  });
  const fields = { destination: authority, kind: sniffed.kind, ...hints };
  connectRequest.on('connect', (response, tunnel, head) => {
    const status = response.statusCode ?? 0;
    options.log('egress.connect', { ...fields, status });
    if (status !== 200 && status !== 202) {
      tunnel.destroy();
      socket.destroy();
      return;
    }
    tunnel.setNoDelay(true);
    tunnel.on('error', () => socket.destroy());
    socket.on('close', () => tunnel.destroy());
    tunnel.on('close', () => socket.destroy());
    if (status === 200 && sniffed.kind === 'tls') {
      // workerd wants the decrypted stream (the Worker intercepts HTTPS for this name).
      void intercept(socket, bytes, tunnel, head, sniffed.serverName, options, fields);
      return;
    }
    if (head.length > 0) socket.write(head);
    if (bytes.length > 0) tunnel.write(bytes);
    tunnel.pipe(socket);
    socket.pipe(tunnel);
    socket.resume();
  });
  connectRequest.on('error', (error) => {
    options.log('egress.tunnel_failed', { ...fields, reason: error.message });
    socket.destroy();
  });
  connectRequest.end();
}

/**
 * Completes the container's TLS handshake as `serverName`, with a certificate from the sidecar's CA
 * (which workerd copied into the container), and relays the decrypted HTTP through `tunnel`.
 */
async function intercept(
  socket: Socket,
  clientHello: Buffer,
  tunnel: Socket,
  head: Buffer,
  serverName: string | undefined,
  options: EgressProxyOptions,
  fields: Record<string, unknown>,
): Promise<void> {
  let leaf;
  try {
    if (!options.ca || !serverName)
      throw new Error(options.ca ? 'no server name (SNI)' : 'started without --tls-intercept');
    leaf = await options.ca.leafFor(serverName);
  } catch (error) {
    options.log('egress.tls_interception_failed', { ...fields, reason: (error as Error).message });
    tunnel.destroy();
    socket.destroy();
    return;
  }
  // The ClientHello was read already: replay it in front of the rest of the stream.
  const plain = new Duplex({
    read() {
      socket.resume();
    },
    write(chunk: Buffer, _encoding, callback) {
      socket.write(chunk, callback);
    },
    final(callback) {
      socket.end();
      callback();
    },
  });
  plain.push(clientHello);
  socket.on('data', (chunk: Buffer) => {
    if (!plain.push(chunk)) socket.pause();
  });
  socket.on('end', () => plain.push(null));
  const decrypted = new TLSSocket(plain, { isServer: true, key: leaf.key, cert: leaf.cert });
  decrypted.on('error', (error: Error) => {
    options.log('egress.tls_handshake_failed', { ...fields, reason: error.message });
    tunnel.destroy();
    socket.destroy();
  });
  if (head.length > 0) decrypted.write(head);
  decrypted.pipe(tunnel);
  tunnel.pipe(decrypted);
  socket.resume();
}
