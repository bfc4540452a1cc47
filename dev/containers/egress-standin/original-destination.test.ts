import { describe, expect, it } from 'vitest';
import { originalDestination } from './original-destination.ts';

// Lines as /proc/net/nf_conntrack shows a connection redirected to the proxy port 15001.
const table = [
  'ipv4     2 udp      17 28 src=198.18.0.5 dst=1.1.1.1 sport=51000 dport=53 src=127.0.0.1 dst=198.18.0.5 sport=15053 dport=51000 mark=0 zone=0 use=2',
  'ipv4     2 tcp      6 431999 ESTABLISHED src=198.18.0.5 dst=198.19.0.7 sport=40122 dport=80 src=127.0.0.1 dst=198.18.0.5 sport=15001 dport=40122 [ASSURED] mark=0 zone=0 use=2',
  'ipv4     2 tcp      6 431999 ESTABLISHED src=198.18.0.5 dst=198.18.0.1 sport=40124 dport=40999 src=198.18.0.1 dst=198.18.0.5 sport=40999 dport=40124 [ASSURED] mark=0 zone=0 use=2',
].join('\n');

describe('the original destination of a redirected connection', () => {
  it('is read from the connection tracking table by the client address and port', () => {
    expect(originalDestination(table, { address: '198.18.0.5', port: 40122 }, 15001)).toEqual({
      address: '198.19.0.7',
      port: 80,
    });
  });

  it('is unknown for a connection that was not redirected to the proxy, or not TCP', () => {
    expect(originalDestination(table, { address: '198.18.0.5', port: 40124 }, 15001)).toBeUndefined();
    expect(originalDestination(table, { address: '198.18.0.5', port: 51000 }, 15053)).toBeUndefined();
    expect(originalDestination(table, { address: '198.18.0.9', port: 40122 }, 15001)).toBeUndefined();
  });
});
