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

/** A port that was free a moment ago on 127.0.0.1, for tests that start their own stack. */
export async function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
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
