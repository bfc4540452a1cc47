/**
 * HTTPS interception, as the real sidecar does it when the Worker intercepts HTTPS
 * (`interceptHttps` in `@cloudflare/containers`): the sidecar has a CA of its own, which workerd
 * reads (`GET /ca`) and writes into the app container at
 * `/etc/cloudflare/certs/cloudflare-containers-ca.crt`; for a TLS connection workerd wants to see
 * (its answer to the CONNECT is 200), the sidecar completes the handshake with a certificate for
 * the requested server name signed by that CA, and sends the decrypted HTTP to workerd.
 *
 * Certificates are made with the `openssl` command (Node can parse X.509 but not issue it): the CA
 * once at start, a leaf per server name on first use, kept in memory.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The sidecar's CA and the leaf certificates it issued. */
export interface InterceptionCa {
  /** The CA certificate, PEM, for `GET /ca`. */
  certificate: string;
  /** A key and certificate for `serverName`, issued on first use. */
  leafFor(serverName: string): Promise<{ key: string; cert: string }>;
}

/** Server names a leaf may be issued for: host names only, as a TLS server name is. */
const SERVER_NAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;

/**
 * Makes a CA (EC P-256, valid a day) in a folder of its own and returns it.
 *
 * @example
 * ```ts
 * const ca = await createInterceptionCa();
 * const { key, cert } = await ca.leafFor('api.github.com');
 * ```
 */
export async function createInterceptionCa(): Promise<InterceptionCa> {
  const folder = await mkdtemp(join(tmpdir(), 'egress-ca-'));
  const caKey = join(folder, 'ca.key');
  const caCert = join(folder, 'ca.crt');
  await newCertificate({
    key: caKey,
    cert: caCert,
    subject: '/CN=secure-mcp egress stand-in CA (local only)',
    extensions: ['basicConstraints=critical,CA:TRUE', 'keyUsage=critical,keyCertSign,cRLSign'],
  });
  const certificate = await readFile(caCert, 'utf8');
  const leaves = new Map<string, Promise<{ key: string; cert: string }>>();

  async function issue(serverName: string): Promise<{ key: string; cert: string }> {
    const leafFolder = await mkdtemp(join(folder, 'leaf-'));
    try {
      const key = join(leafFolder, 'leaf.key');
      const cert = join(leafFolder, 'leaf.crt');
      await newCertificate({
        key,
        cert,
        subject: `/CN=${serverName}`,
        extensions: [`subjectAltName=DNS:${serverName}`, 'extendedKeyUsage=serverAuth'],
        issuer: { key: caKey, cert: caCert },
      });
      return { key: await readFile(key, 'utf8'), cert: await readFile(cert, 'utf8') };
    } finally {
      await rm(leafFolder, { recursive: true, force: true });
    }
  }

  return {
    certificate,
    leafFor(serverName) {
      const name = serverName.toLowerCase();
      if (!SERVER_NAME.test(name)) return Promise.reject(new Error(`not a server name: ${JSON.stringify(serverName)}`));
      let leaf = leaves.get(name);
      if (!leaf) {
        leaf = issue(name);
        leaf.catch(() => leaves.delete(name));
        leaves.set(name, leaf);
      }
      return leaf;
    },
  };
}

/** Where `openssl` writes a new key and certificate, what the certificate says, and who signs it. */
interface NewCertificate {
  key: string;
  cert: string;
  subject: string;
  /** `-addext` values. */
  extensions: string[];
  /** The CA that signs it; none: self-signed. */
  issuer?: { key: string; cert: string };
}

/** One `openssl req -x509`: a new EC P-256 key and a certificate for it, valid a day. */
async function newCertificate({ key, cert, subject, extensions, issuer }: NewCertificate): Promise<void> {
  await run('openssl', [
    'req',
    '-x509',
    ...(issuer ? ['-CA', issuer.cert, '-CAkey', issuer.key] : []),
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    key,
    '-out',
    cert,
    '-days',
    '1',
    '-subj',
    subject,
    ...extensions.flatMap((extension) => ['-addext', extension]),
  ]);
}
