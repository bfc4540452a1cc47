import { connect as tlsConnect } from 'node:tls';
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { MAX_SNIFF_BYTES, sniffFirstBytes } from './first-bytes.ts';

/** The ClientHello Node's TLS client really sends for `servername`. */
async function clientHello(servername: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const server = createServer((socket) => {
      socket.once('data', (chunk: Buffer) => {
        resolve(chunk);
        socket.destroy();
        server.close();
      });
    });
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      tlsConnect({ host: '127.0.0.1', port, servername }).on('error', () => {});
    });
    server.on('error', reject);
  });
}

describe('the first bytes of an outbound connection', () => {
  it('name the host of an HTTP/1 request, without its port', () => {
    expect(
      sniffFirstBytes(Buffer.from('GET /x HTTP/1.1\r\nHost: api.example.com:8080\r\nAccept: */*\r\n\r\n')),
    ).toEqual({
      kind: 'http',
      hostname: 'api.example.com',
    });
    expect(sniffFirstBytes(Buffer.from('POST / HTTP/1.1\r\nhost:[::1]:80\r\n\r\n'))).toEqual({
      kind: 'http',
      hostname: '::1',
    });
    expect(sniffFirstBytes(Buffer.from('GET / HTTP/1.0\r\n\r\n'))).toEqual({ kind: 'http', hostname: undefined });
  });

  it('wait for more while the request line or headers are not complete', () => {
    expect(sniffFirstBytes(Buffer.from(''))).toEqual({ kind: 'incomplete' });
    expect(sniffFirstBytes(Buffer.from('GE'))).toEqual({ kind: 'incomplete' });
    expect(sniffFirstBytes(Buffer.from('GET / HTTP/1.1\r\nHost: a'))).toEqual({ kind: 'incomplete' });
    expect(sniffFirstBytes(Buffer.from(`GET / HTTP/1.1\r\nX: ${'a'.repeat(MAX_SNIFF_BYTES)}`))).toEqual({
      kind: 'http',
      hostname: undefined,
    });
  });

  it('name the server of a real TLS ClientHello (SNI)', async () => {
    const hello = await clientHello('api.github.com');
    expect(sniffFirstBytes(hello)).toEqual({ kind: 'tls', serverName: 'api.github.com' });
    expect(sniffFirstBytes(hello.subarray(0, 20))).toEqual({ kind: 'incomplete' });
  });

  it('say other for anything else', () => {
    expect(sniffFirstBytes(Buffer.from('SSH-2.0-OpenSSH_9.2\r\n'))).toEqual({ kind: 'other' });
    expect(sniffFirstBytes(Buffer.from([0x00, 0x01, 0x02]))).toEqual({ kind: 'other' });
  });
});
