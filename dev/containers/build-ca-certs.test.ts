import { rootCertificates } from 'node:tls';
import { describe, expect, it } from 'vitest';
import { extraCertificates } from './build-ca-certs.ts';

// A PEM block that is not among Node's roots (only its text is compared, so it need not parse).
const EXTRA = `-----BEGIN CERTIFICATE-----
MIIBszCCAVmgAwIBAgIUXmtRbB8Zr0eJgE8o0J0n8o0ZQy0wCgYIKoZIzj0EAwIw
LzEtMCsGA1UEAwwkc2VjdXJlLW1jcCB0ZXN0IGV4dHJhIENBIChub3QgdHJ1c3Qp
MB4XDTI2MDEwMTAwMDAwMFoXDTM2MDEwMTAwMDAwMFowLzEtMCsGA1UEAwwkc2Vj
dXJlLW1jcCB0ZXN0IGV4dHJhIENBIChub3QgdHJ1c3QpMFkwEwYHKoZIzj0CAQYI
KoZIzj0DAQcDQgAEq5xX4Xa1Lr0mQd3eBv0lA4h0n7o4B5r6w1Qn0b0J1L0t0k0y
-----END CERTIFICATE-----`;

describe('the certificates a machine trusts beyond Node’s own', () => {
  it('are those of its bundle that Node does not ship, whatever their line breaks', () => {
    const bundle = [rootCertificates[0]!, EXTRA, rootCertificates[1]!.replaceAll('\n', '\r\n')].join('\n');
    expect(extraCertificates(bundle)).toEqual([EXTRA]);
    expect(extraCertificates(rootCertificates.join('\n'))).toEqual([]);
    expect(extraCertificates('no certificates here')).toEqual([]);
  });
});
