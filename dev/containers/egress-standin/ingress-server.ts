/**
 * The sidecar's ingress port (39001, published by Docker to 127.0.0.1 on the host), the way
 * workerd 2026-11-02 uses it (`container-client.c++`):
 * - `CONNECT 127.0.0.1:<port>` (also named in `X-Dst-Addr`): a tunnel to that port inside the
 *   shared network namespace, which is how every request reaches the container. `400` when nothing
 *   listens there (workerd reads it as "the container is not listening yet" and retries);
 * - `PUT /egress`: the egress settings (`egress-config.ts`);
 * - `GET /ca`: the certificate the sidecar signs intercepted TLS with (`tls-interception.ts`),
 *   which workerd copies into the container when the Worker intercepts HTTPS; without
 *   `--tls-intercept`, a comment saying there is none.
 * Only loopback targets are tunnelled: the ingress is never a proxy to anywhere else. And only the
 * Docker gateway (docker-proxy, through which workerd on the host connects) may use it: not the
 * app container, which shares this network namespace and could otherwise rewrite its own egress
 * settings or open tunnels it was never meant to.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { connect, type Socket } from 'node:net';

/** What the ingress server needs from the rest of the sidecar. */
export interface IngressHandlers {
  /** The only address allowed to use the ingress: the Docker gateway. */
  gateway: string;
  /** The interception CA's certificate (PEM), when there is one. */
  caCertificate?: string;
  /** Applies a `PUT /egress` body; throws for a bad one. */
  updateEgress(body: unknown): Promise<void>;
  log(event: string, fields?: Record<string, unknown>): void;
}

/** What `GET /ca` answers. */
const NO_CA_CERTIFICATE =
  '# secure-mcp egress stand-in: HTTPS interception is not implemented, so there is no certificate.\n';

const MAX_CONTROL_BODY = 64 * 1024;

/**
 * Starts the ingress server on `host:port`.
 *
 * @example
 * ```ts
 * const server = await startIngressServer('0.0.0.0', 39001, { updateEgress, log });
 * ```
 */
export function startIngressServer(host: string, port: number, handlers: IngressHandlers): Promise<Server> {
  const server = createServer((request, response) => {
    if (!fromGateway(request.socket, handlers)) {
      response.writeHead(403, { 'content-type': 'application/json' }).end('{"error":"forbidden"}');
      return;
    }
    void handleControl(request, handlers).then(({ status, body }) => {
      response.writeHead(status, {
        'content-type': status === 200 && request.url === '/ca' ? 'application/x-pem-file' : 'application/json',
      });
      response.end(body);
    });
  });
  server.on('connect', (request: IncomingMessage, client: Socket, head: Buffer) =>
    tunnel(request, client, head, handlers),
  );
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}

async function handleControl(
  request: IncomingMessage,
  handlers: IngressHandlers,
): Promise<{ status: number; body: string }> {
  if (request.method === 'GET' && request.url === '/ca')
    return { status: 200, body: handlers.caCertificate ?? NO_CA_CERTIFICATE };
  if (request.method !== 'PUT' || request.url !== '/egress') return { status: 404, body: '{"error":"not found"}' };
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_CONTROL_BODY) return { status: 413, body: '{"error":"too large"}' };
    chunks.push(chunk);
  }
  try {
    await handlers.updateEgress(JSON.parse(Buffer.concat(chunks).toString('utf8')));
    return { status: 200, body: '{}' };
  } catch (error) {
    handlers.log('egress.update_refused', { reason: (error as Error).message });
    return { status: 400, body: JSON.stringify({ error: (error as Error).message }) };
  }
}

function fromGateway(socket: Socket, handlers: IngressHandlers): boolean {
  const remote = (socket.remoteAddress ?? '').replace(/^::ffff:/, '');
  if (remote === handlers.gateway) return true;
  handlers.log('ingress.refused_source', { remote });
  return false;
}

function tunnel(request: IncomingMessage, client: Socket, head: Buffer, handlers: IngressHandlers): void {
  if (!fromGateway(client, handlers)) {
    client.end('HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\n\r\n');
    return;
  }
  const target = request.headers['x-dst-addr'] ?? request.url ?? '';
  const match = /^(127\.0\.0\.1|localhost|\[::1\]):(\d{1,5})$/.exec(String(target));
  if (!match) {
    handlers.log('ingress.refused', { target });
    client.end('HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\n\r\n');
    return;
  }
  const upstream = connect({ host: '127.0.0.1', port: Number(match[2]), noDelay: true });
  // Without it, Nagle's algorithm holds the second segment of an answer (headers, then body) until
  // the first is acknowledged, and the receiver delays that acknowledgement: 40 ms per call.
  client.setNoDelay(true);
  let connected = false;
  client.on('error', () => upstream.destroy());
  upstream.once('connect', () => {
    connected = true;
    client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    if (head.length > 0) upstream.write(head);
    upstream.pipe(client);
    client.pipe(upstream);
  });
  upstream.once('error', (error: NodeJS.ErrnoException) => {
    if (connected) {
      client.destroy();
      return;
    }
    // Nothing listens (yet): workerd takes 400 as "not listening" and tries again.
    const status = error.code === 'ECONNREFUSED' ? '400 Bad Request' : '502 Bad Gateway';
    client.end(`HTTP/1.1 ${status}\r\ncontent-length: 0\r\n\r\n`);
  });
  upstream.on('close', () => client.destroy());
  client.on('close', () => upstream.destroy());
}
