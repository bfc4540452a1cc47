/**
 * What the sidecar learns from the first bytes of an outbound connection, to tell workerd how to
 * handle it: the TLS server name (SNI) of a ClientHello, sent as `X-Tls-Sni`, or the host name of
 * an HTTP/1 request, sent as `X-Hostname` (the hints workerd's `EgressHttpService::connect` reads).
 * Pure functions over a buffer, tested alone.
 */

/** What kind of stream the first bytes show, and the host name it names when there is one. */
export type FirstBytes =
  | { kind: 'tls'; serverName: string | undefined }
  | { kind: 'http'; hostname: string | undefined }
  | { kind: 'incomplete' }
  | { kind: 'other' };

/** Longest HTTP header block the sniffer waits for before it gives up on finding `Host`. */
export const MAX_SNIFF_BYTES = 16 * 1024;

const HTTP_METHOD = /^(GET|HEAD|POST|PUT|DELETE|OPTIONS|PATCH|TRACE|CONNECT) /;

/**
 * Classifies the bytes read so far. `incomplete` means more bytes are needed to decide.
 *
 * @example
 * ```ts
 * sniffFirstBytes(Buffer.from('GET / HTTP/1.1\r\nHost: api.example.com\r\n\r\n')); // { kind: 'http', hostname: 'api.example.com' }
 * ```
 */
export function sniffFirstBytes(bytes: Buffer): FirstBytes {
  if (bytes.length === 0) return { kind: 'incomplete' };
  if (bytes[0] === 0x16) return sniffTls(bytes);
  const head = bytes.subarray(0, MAX_SNIFF_BYTES).toString('latin1');
  if (!HTTP_METHOD.test(head)) {
    // Could still be the start of a method name.
    return head.length < 8 && /^[A-Z]*$/.test(head) ? { kind: 'incomplete' } : { kind: 'other' };
  }
  const end = head.indexOf('\r\n\r\n');
  if (end === -1)
    return bytes.length >= MAX_SNIFF_BYTES ? { kind: 'http', hostname: undefined } : { kind: 'incomplete' };
  const host = /\r\nhost:[ \t]*([^\r\n]*)/i.exec(head.slice(0, end + 2))?.[1]?.trim();
  return { kind: 'http', hostname: host ? hostWithoutPort(host) : undefined };
}

function hostWithoutPort(host: string): string {
  if (host.startsWith('[')) return host.slice(1, host.indexOf(']'));
  const colon = host.lastIndexOf(':');
  return colon > -1 && /^\d+$/.test(host.slice(colon + 1)) ? host.slice(0, colon) : host;
}

/** Reads the server_name extension of a TLS ClientHello record. */
function sniffTls(bytes: Buffer): FirstBytes {
  if (bytes.length < 5) return { kind: 'incomplete' };
  const recordLength = bytes.readUInt16BE(3);
  if (bytes.length < 5 + recordLength)
    return recordLength > MAX_SNIFF_BYTES ? { kind: 'tls', serverName: undefined } : { kind: 'incomplete' };
  const hello = bytes.subarray(5, 5 + recordLength);
  try {
    if (hello[0] !== 0x01) return { kind: 'tls', serverName: undefined }; // not a ClientHello
    let at = 4 + 2 + 32; // handshake header, version, random
    at += 1 + hello[at]!; // session id
    at += 2 + hello.readUInt16BE(at); // cipher suites
    at += 1 + hello[at]!; // compression methods
    const extensionsEnd = at + 2 + hello.readUInt16BE(at);
    at += 2;
    while (at + 4 <= extensionsEnd) {
      const type = hello.readUInt16BE(at);
      const length = hello.readUInt16BE(at + 2);
      if (type === 0x0000) {
        // server_name_list: length, then entries of (type, length, name); type 0 is a host name.
        const nameType = hello[at + 6];
        const nameLength = hello.readUInt16BE(at + 7);
        if (nameType === 0)
          return { kind: 'tls', serverName: hello.subarray(at + 9, at + 9 + nameLength).toString('ascii') };
      }
      at += 4 + length;
    }
  } catch {
    // A malformed hello: no name.
  }
  return { kind: 'tls', serverName: undefined };
}
