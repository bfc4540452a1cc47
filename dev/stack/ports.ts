/**
 * The local stack's ports: a free one for tests, and a clear error naming the setting to change
 * when a fixed one is taken, instead of a server that fails to listen later.
 */
import { createServer } from 'node:net';

/** A port the local stack needs is taken by another process. */
export class PortInUseError extends Error {
  constructor(
    readonly port: number,
    readonly role: string,
    readonly variable: string,
  ) {
    super(
      `Port ${port} (${role}) is already in use. Stop what is using it, or choose another port with ${variable}=<port>.`,
    );
    this.name = 'PortInUseError';
  }
}

/**
 * Resolves when nothing listens on `port` on loopback, else throws PortInUseError.
 * Both loopback families are tried because `localhost` may resolve to either.
 *
 * @example
 * ```ts
 * await assertPortFree(8788, 'Worker', 'SECURE_MCP_WORKER_PORT');
 * ```
 */
export async function assertPortFree(port: number, role: string, variable: string): Promise<void> {
  for (const host of ['127.0.0.1', '::1']) {
    const outcome = await tryListen(port, host);
    if (outcome === 'in-use') throw new PortInUseError(port, role, variable);
  }
}

/**
 * Where {@link findFreePort} draws from: below Linux's default ephemeral range (32768–60999), which
 * every port-0 listener and every outgoing connection on the machine draws from as well, so a port
 * handed out here is not taken by the kernel for someone else between the check and the listen.
 */
const TEST_PORT_RANGE = { first: 20_000, last: 32_767 };

/**
 * A port that was free a moment ago on both loopback families (`localhost` may be either), for
 * tests that start their own stack. Drawn at random from {@link TEST_PORT_RANGE}: with port 0 the
 * kernel checked 127.0.0.1 only, and a Worker told to listen on `localhost` could meet a ::1
 * listener of another test on the same port (a stack that never became ready, seen under load).
 *
 * @example
 * ```ts
 * const port = await findFreePort(); // e.g. 27311
 * ```
 */
export async function findFreePort(): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const port = TEST_PORT_RANGE.first + Math.floor(Math.random() * (TEST_PORT_RANGE.last - TEST_PORT_RANGE.first + 1));
    const outcomes = [await tryListen(port, '127.0.0.1'), await tryListen(port, '::1')];
    if (outcomes[0] === 'free' && outcomes[1] !== 'in-use') return port;
  }
  throw new Error(`no free loopback port in ${TEST_PORT_RANGE.first}–${TEST_PORT_RANGE.last} after 100 tries`);
}

/**
 * Whether nothing listens on `port` of `host` right now.
 *
 * @example
 * ```ts
 * await isPortFree(5000, '127.0.0.1'); // true when nothing listens there
 * ```
 */
export async function isPortFree(port: number, host: string): Promise<boolean> {
  return (await tryListen(port, host)) === 'free';
}

function tryListen(port: number, host: string): Promise<'free' | 'in-use' | 'unavailable'> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => {
      // EADDRNOTAVAIL / EAFNOSUPPORT: this loopback family does not exist here; nothing to clash with.
      resolve(error.code === 'EADDRINUSE' || error.code === 'EACCES' ? 'in-use' : 'unavailable');
    });
    server.listen(port, host, () => server.close(() => resolve('free')));
  });
}
