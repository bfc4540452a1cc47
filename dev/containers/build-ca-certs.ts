/**
 * The CA certificates this machine trusts beyond Node's own list, for npm inside a local image
 * build. On a network that intercepts TLS, npm in the build container fails with
 * `SELF_SIGNED_CERT_IN_CHAIN` unless it trusts the interceptor's CA, which the machine's bundle has
 * and a fresh image does not. Only these extra certificates are passed (the whole bundle exceeds the
 * 128 KiB a single argument may have), and only to the Dockerfile's server stage
 * (`NPM_EXTRA_CA_CERTS`), never into an image meant for deployment.
 */
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { rootCertificates } from 'node:tls';

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/**
 * The certificates of `bundle` (PEM text) that are not among Node's built-in roots.
 *
 * @example
 * ```ts
 * extraCertificates(await readFile('/etc/ssl/certs/ca-certificates.crt', 'utf8')); // ['-----BEGIN CERTIFICATE-----…']
 * ```
 */
export function extraCertificates(bundle: string): string[] {
  const known = new Set(rootCertificates.map((pem) => pem.replaceAll(/\s+/g, '')));
  return (bundle.match(PEM_CERTIFICATE) ?? []).filter((pem) => !known.has(pem.replaceAll(/\s+/g, '')));
}

/**
 * Writes the machine's extra certificates (from `NODE_EXTRA_CA_CERTS`, else the system bundle) to
 * `path` and returns it, or `undefined` when there are none.
 *
 * @example
 * ```ts
 * const caFile = await writeBuildCaFile('.docker/build-ca.pem');
 * ```
 */
export async function writeBuildCaFile(path: string): Promise<string | undefined> {
  const source = [process.env.NODE_EXTRA_CA_CERTS, '/etc/ssl/certs/ca-certificates.crt'].find(
    (file): file is string => file !== undefined && file !== '' && existsSync(file),
  );
  if (!source) return undefined;
  const extra = extraCertificates(await readFile(source, 'utf8'));
  if (extra.length === 0) return undefined;
  await writeFile(path, `${extra.join('\n')}\n`);
  return path;
}
