/**
 * The smoke's redirect URI: a one-shot HTTP listener on 127.0.0.1 that receives the browser
 * after sign-in, tells the person to go back to the terminal, and hands the redirect URL over.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LoopbackRedirect {
  /** `http://127.0.0.1:<port>/callback`, registered as the client's redirect URI. */
  redirectUri: string;
  /** Resolves with the first request to `/callback` (its full URL), or rejects after `timeoutMs`. */
  waitForRedirect(timeoutMs: number): Promise<URL>;
  close(): Promise<void>;
}

const PAGE =
  '<!doctype html><meta charset="utf-8"><title>secure-mcp smoke</title><p>Signed in. You can close this tab and go back to the terminal.</p>';

/**
 * Starts the listener on a free loopback port.
 *
 * @example
 * ```ts
 * const loopback = await startLoopbackRedirect();
 * const redirect = await loopback.waitForRedirect(300_000);
 * redirect.searchParams.get('code');
 * ```
 */
export async function startLoopbackRedirect(): Promise<LoopbackRedirect> {
  let deliver: (url: URL) => void = () => {};
  const arrived = new Promise<URL>((resolve) => {
    deliver = resolve;
  });
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', `http://${request.headers.host ?? '127.0.0.1'}`);
    if (url.pathname !== '/callback') {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' }).end(PAGE);
    deliver(url);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    redirectUri: `http://127.0.0.1:${port}/callback`,
    waitForRedirect: (timeoutMs) =>
      new Promise<URL>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no sign-in came back within ${Math.round(timeoutMs / 1000)} s`)),
          timeoutMs,
        );
        void arrived.then((url) => {
          clearTimeout(timer);
          resolve(url);
        });
      }),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
