/**
 * A loopback reverse proxy that adds `Authorization: Bearer <token>` to every request and
 * forwards it to the gateway, for clients that cannot sign in themselves (the
 * conformance runner's server mode). It is meant to be invisible and adds nothing else:
 * bodies stream both ways (SSE works), and a `Host` or `Origin` that names the shim
 * becomes the gateway's, as behind any same-origin proxy; a foreign `Host` or `Origin`
 * passes unchanged, so the gateway still sees (and must refuse) a DNS-rebinding attempt.
 * Sessions the client abandons stay open: handling them is the gateway's job
 * (docs/security.md 22), not the proxy's.
 */
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RunningTokenShim {
  /** The shim's URL for the gateway's MCP path, e.g. `http://localhost:40123/mcp`. */
  url: string;
  close(): Promise<void>;
}

/**
 * Starts the shim on a free loopback port in front of `targetUrl`.
 *
 * @example
 * ```ts
 * const shim = await startTokenShim('http://localhost:8788/mcp', accessToken);
 * // npx conformance server --url ${shim.url}
 * await shim.close();
 * ```
 */
export async function startTokenShim(targetUrl: string, token: string): Promise<RunningTokenShim> {
  const target = new URL(targetUrl);
  const server: Server = createServer((incoming, outgoing) => {
    const headers = { ...incoming.headers, authorization: `Bearer ${token}` };
    if (incoming.headers.host === shimHost) headers.host = target.host;
    if (incoming.headers.origin === `http://${shimHost}`) headers.origin = target.origin;
    const forwarded = httpRequest(
      { hostname: target.hostname, port: target.port, method: incoming.method, path: incoming.url, headers },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    forwarded.on('error', () => {
      if (!outgoing.headersSent) outgoing.writeHead(502);
      outgoing.end();
    });
    outgoing.on('close', () => forwarded.destroy());
    incoming.pipe(forwarded);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const shimHost = `localhost:${(server.address() as AddressInfo).port}`;
  return {
    url: `http://${shimHost}${target.pathname}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
