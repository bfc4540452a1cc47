/**
 * Where a redirected connection was going. The sidecar's firewall sends every outbound TCP
 * connection of the container to its own proxy port (`iptables -j REDIRECT`), which hides the
 * original address from the accepted socket; the kernel's connection tracking table
 * (`/proc/net/nf_conntrack`, per network namespace) still records it. Node cannot call
 * `getsockopt(SO_ORIGINAL_DST)`, so the table is read instead. The parsing is pure and tested alone.
 */
import { readFile } from 'node:fs/promises';

/** An address and port. */
export interface Endpoint {
  address: string;
  port: number;
}

/**
 * Finds, in the text of `/proc/net/nf_conntrack`, the original destination of the TCP connection
 * from `client` that was redirected to `proxyPort`.
 *
 * @example
 * ```ts
 * originalDestination(table, { address: '198.18.0.5', port: 40122 }, 15001); // { address: '198.19.4.7', port: 443 }
 * ```
 */
export function originalDestination(table: string, client: Endpoint, proxyPort: number): Endpoint | undefined {
  for (const line of table.split('\n')) {
    if (!/\btcp\b/.test(line)) continue;
    const sources = [...line.matchAll(/\bsrc=(\S+)/g)].map((match) => match[1]);
    const destinations = [...line.matchAll(/\bdst=(\S+)/g)].map((match) => match[1]);
    const sourcePorts = [...line.matchAll(/\bsport=(\d+)/g)].map((match) => Number(match[1]));
    const destinationPorts = [...line.matchAll(/\bdport=(\d+)/g)].map((match) => Number(match[1]));
    // Original direction first, then the reply direction (which comes from the proxy port).
    if (sources[0] === client.address && sourcePorts[0] === client.port && sourcePorts[1] === proxyPort) {
      return { address: destinations[0]!, port: destinationPorts[0]! };
    }
  }
  return undefined;
}

/**
 * Reads the table and looks `client` up in it.
 *
 * @example
 * ```ts
 * const target = await lookUpOriginalDestination({ address: socket.remoteAddress, port: socket.remotePort }, 15001);
 * ```
 */
export async function lookUpOriginalDestination(client: Endpoint, proxyPort: number): Promise<Endpoint | undefined> {
  return originalDestination(await readFile('/proc/net/nf_conntrack', 'utf8'), client, proxyPort);
}
