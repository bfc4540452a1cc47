/**
 * The sidecar's firewall in the network namespace it shares with the app container, as the real
 * sidecar intercepts with iptables (workerd gives it `NET_ADMIN` for that):
 * - every outbound TCP connection is redirected to the sidecar's egress proxy, and DNS to its
 *   resolver, except loopback and the sidecar's own tunnel to workerd's egress port;
 * - nothing else leaves (no UDP, no ICMP to the host or to other containers);
 * - from outside, only the Docker gateway (docker-proxy, which publishes the ingress port to
 *   workerd on 127.0.0.1) may connect, and only to the ingress port: other containers on the
 *   engine's network cannot reach this container's ports.
 * The rule text is pure and tested; {@link applyFirewall} loads it with `iptables-restore`.
 */
import { spawn } from 'node:child_process';

/** Ports of the sidecar's own listeners inside the namespace. */
export const EGRESS_PROXY_PORT = 15001;
export const DNS_PORT = 15053;

/** What the rules depend on. */
export interface FirewallSettings {
  /** The Docker gateway address (the host, where workerd and docker-proxy are). */
  gateway: string;
  /** workerd's egress listener port on the gateway. */
  egressPort: number;
  /** The ingress port workerd reaches through docker-proxy. */
  ingressPort: number;
  dnsEnabled: boolean;
}

/**
 * The IPv4 rules, in `iptables-restore` format (the whole nat and filter tables of this namespace).
 *
 * @example
 * ```ts
 * await applyFirewall(ipv4Rules({ gateway: '198.18.0.1', egressPort: 40001, ingressPort: 39001, dnsEnabled: true }));
 * ```
 */
export function ipv4Rules(settings: FirewallSettings): string {
  const tunnel = `-d ${settings.gateway}/32 -p tcp --dport ${settings.egressPort}`;
  return [
    '*nat',
    ':PREROUTING ACCEPT [0:0]',
    ':INPUT ACCEPT [0:0]',
    ':OUTPUT ACCEPT [0:0]',
    ':POSTROUTING ACCEPT [0:0]',
    '-A OUTPUT -o lo -j RETURN',
    `-A OUTPUT ${tunnel} -j RETURN`,
    `-A OUTPUT -p tcp -j REDIRECT --to-ports ${EGRESS_PROXY_PORT}`,
    ...(settings.dnsEnabled ? [`-A OUTPUT -p udp --dport 53 -j REDIRECT --to-ports ${DNS_PORT}`] : []),
    'COMMIT',
    '*filter',
    ':INPUT DROP [0:0]',
    ':FORWARD DROP [0:0]',
    ':OUTPUT DROP [0:0]',
    '-A INPUT -i lo -j ACCEPT',
    '-A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT',
    `-A INPUT -s ${settings.gateway}/32 -p tcp --dport ${settings.ingressPort} -j ACCEPT`,
    '-A OUTPUT -o lo -j ACCEPT',
    // What the nat table redirected to the sidecar: the filter table still sees the original
    // output interface (it is fixed for the whole OUTPUT hook), but the new destination.
    '-A OUTPUT -d 127.0.0.0/8 -j ACCEPT',
    '-A OUTPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT',
    `-A OUTPUT ${tunnel} -j ACCEPT`,
    '-A OUTPUT -j REJECT',
    'COMMIT',
    '',
  ].join('\n');
}

/** IPv6: loopback only (the engine's networks have no IPv6, and workerd passes `--disable-ipv6`). */
export function ipv6Rules(): string {
  return [
    '*filter',
    ':INPUT DROP [0:0]',
    ':FORWARD DROP [0:0]',
    ':OUTPUT DROP [0:0]',
    '-A INPUT -i lo -j ACCEPT',
    '-A OUTPUT -o lo -j ACCEPT',
    'COMMIT',
    '',
  ].join('\n');
}

/**
 * Loads rules with `iptables-restore` (or `ip6tables-restore`), replacing the tables they name.
 *
 * @example
 * ```ts
 * await applyFirewall(ipv6Rules(), 'ip6tables-restore');
 * ```
 */
export function applyFirewall(
  rules: string,
  program: 'iptables-restore' | 'ip6tables-restore' = 'iptables-restore',
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, [], { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`${program} failed (${code}): ${stderr.trim()}`)),
    );
    child.stdin.end(rules);
  });
}
