import { describe, expect, it } from 'vitest';
import { DNS_PORT, EGRESS_PROXY_PORT, ipv4Rules, ipv6Rules } from './firewall.ts';

const settings = { gateway: '198.18.0.1', egressPort: 40999, ingressPort: 39001, dnsEnabled: true };

describe('the sidecar’s firewall', () => {
  it('redirects every outbound TCP connection and DNS to the sidecar, except loopback and its own tunnel', () => {
    const nat = ipv4Rules(settings).split('*filter')[0]!;
    const output = nat.split('\n').filter((line) => line.startsWith('-A OUTPUT'));
    expect(output).toEqual([
      '-A OUTPUT -o lo -j RETURN',
      '-A OUTPUT -d 198.18.0.1/32 -p tcp --dport 40999 -j RETURN',
      `-A OUTPUT -p tcp -j REDIRECT --to-ports ${EGRESS_PROXY_PORT}`,
      `-A OUTPUT -p udp --dport 53 -j REDIRECT --to-ports ${DNS_PORT}`,
    ]);
    expect(ipv4Rules({ ...settings, dnsEnabled: false })).not.toContain('--dport 53');
  });

  it('lets nothing else out, and only the gateway in, to the ingress port', () => {
    const filter = ipv4Rules(settings).split('*filter')[1]!;
    expect(filter).toContain(':INPUT DROP');
    expect(filter).toContain(':OUTPUT DROP');
    expect(filter).toContain('-A INPUT -s 198.18.0.1/32 -p tcp --dport 39001 -j ACCEPT');
    expect(filter).toContain('-A OUTPUT -d 127.0.0.0/8 -j ACCEPT');
    expect(filter.trim().split('\n').at(-2)).toBe('-A OUTPUT -j REJECT');
    expect(ipv6Rules()).toContain(':OUTPUT DROP');
  });
});
