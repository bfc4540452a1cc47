/**
 * An https server on loopback with a certificate from a throwaway CA, for tests that need the
 * Worker to fetch over https from this machine (Client ID Metadata Documents must be https). The CA
 * and keys are made with the `openssl` command in a temporary folder and die with the test; the
 * CA file to trust is the machine's extra CAs (`NODE_EXTRA_CA_CERTS`, if any) plus this CA.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface LoopbackHttpsServer {
  /** `https://127.0.0.1:<port>` */
  origin: string;
  /** PEM file with the machine's extra CAs and the test CA, for `NODE_EXTRA_CA_CERTS`. */
  caFile: string;
  close(): Promise<void>;
}

/**
 * Starts the server; `handle` answers every request.
 *
 * @example
 * ```ts
 * const server = await startLoopbackHttps((request, response) => response.end('{}'));
 * ```
 */
export async function startLoopbackHttps(
  handle: (request: IncomingMessage, response: ServerResponse) => void,
): Promise<LoopbackHttpsServer> {
  const dir = mkdtempSync(join(tmpdir(), 'secure-mcp-tls-'));
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(
    'req',
    '-x509',
    ...ec,
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '1',
    '-subj',
    '/CN=secure-mcp test CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  );
  openssl('req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1');
  writeFileSync(
    join(dir, 'server.ext'),
    'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n',
  );
  openssl(
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'server.pem',
    '-days',
    '1',
    '-extfile',
    'server.ext',
  );
  const existing = process.env.NODE_EXTRA_CA_CERTS ? readFileSync(process.env.NODE_EXTRA_CA_CERTS, 'utf8') : '';
  const caFile = join(dir, 'trusted.pem');
  writeFileSync(caFile, `${existing}\n${readFileSync(join(dir, 'ca.pem'), 'utf8')}`);

  const server: Server = createServer(
    { key: readFileSync(join(dir, 'server.key')), cert: readFileSync(join(dir, 'server.pem')) },
    handle,
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `https://127.0.0.1:${port}`,
    caFile,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
