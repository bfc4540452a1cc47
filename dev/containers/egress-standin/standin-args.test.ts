import { describe, expect, it } from 'vitest';
import { parseStandInArgs } from './standin-args.ts';

describe('the sidecar command line workerd gives', () => {
  it('reads every flag workerd 2026-11-02 passes', () => {
    expect(
      parseStandInArgs([
        '--http-egress-port',
        '40123',
        '--http-ingress-address',
        '0.0.0.0:39001',
        '--docker-gateway-cidr',
        '198.18.0.0/24',
        '--dns-enabled',
        '--tls-intercept',
        '--disable-ipv6',
      ]),
    ).toEqual({
      egressPort: 40123,
      ingress: { host: '0.0.0.0', port: 39001 },
      gatewayCidr: '198.18.0.0/24',
      dnsEnabled: true,
      tlsIntercept: true,
      disableIpv6: true,
      ignored: [],
    });
  });

  it('takes name=value, and reports flags it does not know instead of failing', () => {
    const args = parseStandInArgs(['--http-egress-port=1', '--future-flag', 'x']);
    expect(args.egressPort).toBe(1);
    expect(args.ingress).toEqual({ host: '0.0.0.0', port: 39001 });
    expect(args.ignored).toEqual(['--future-flag', 'x']);
  });

  it('names the flag that is missing or malformed', () => {
    expect(() => parseStandInArgs([])).toThrow(/--http-egress-port must be a port number/);
    expect(() => parseStandInArgs(['--http-egress-port', '70000'])).toThrow(/--http-egress-port/);
    expect(() => parseStandInArgs(['--http-egress-port'])).toThrow(/--http-egress-port needs a value/);
    expect(() => parseStandInArgs(['--http-egress-port', '1', '--http-ingress-address', '39001'])).toThrow(
      /--http-ingress-address must be host:port/,
    );
  });
});
