/**
 * A loopback reverse proxy that adds `Authorization: Bearer <token>` to every request and
 * forwards it to the gateway, for clients that cannot sign in themselves (the
 * conformance runner's server mode). It is meant to be invisible: bodies stream both
 * ways (SSE works), and a `Host` or `Origin` that names the shim becomes the gateway's,
 * as behind any same-origin proxy; a foreign `Host` or `Origin` passes unchanged, so
 * the gateway still sees (and must refuse) a DNS-rebinding attempt.
 *
 * One thing it adds, when asked (`keepSessions`): the conformance runner opens a session
 * per scenario and never closes it, where a real client sends `DELETE` when it is done.
 * The shim then closes all but the newest sessions it has seen, so what is measured is
 * the protocol in transit, not how many abandoned sessions the bridge keeps a process for.
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
 * const shim = await startTokenShim('http://localhost:8788/mcp', accessToken, { keepSessions: 4 });
 * // npx conformance server --url ${shim.url}
 * await shim.close();
 * ```
 */
export async function startTokenShim(
  targetUrl: string,
  token: string,
  options: { keepSessions?: number } = {},
): Promise<RunningTokenShim> {
  const target = new URL(targetUrl);
  const sessions: string[] = [];
  /** Closes the oldest sessions beyond `keepSessions`, as a client does with sessions it is done with. */
  const closeOldSessions = async (sessionId: string | undefined) => {
    if (options.keepSessions === undefined || !sessionId || sessions.includes(sessionId)) return;
    sessions.push(sessionId);
    while (sessions.length > options.keepSessions) {
      const oldest = sessions.shift()!;
      await fetch(target, { method: 'DELETE', headers: { authorization: `Bearer ${token}`, 'mcp-session-id': oldest } })
        .then((response) => response.body?.cancel())
        .catch(() => {});
    }
  };
  const server: Server = createServer((incoming, outgoing) => {
    const headers = { ...incoming.headers, authorization: `Bearer ${token}` };
    if (incoming.headers.host === shimHost) headers.host = target.host;
    if (incoming.headers.origin === `http://${shimHost}`) headers.origin = target.origin;
    const forwarded = httpRequest(
      { hostname: target.hostname, port: target.port, method: incoming.method, path: incoming.url, headers },
      (answer) => {
        void closeOldSessions(answer.headers['mcp-session-id'] as string | undefined).then(() => {
          outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(outgoing);
        });
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
