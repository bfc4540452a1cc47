/**
 * The sidecar's DNS (workerd passes `--dns-enabled`): the container's name lookups are redirected
 * to it, and it answers only names workerd allows (`dns.allowHostnames` of `PUT /egress`), with an
 * address of its own from 198.19.0.0/16 that stands for the name. Nothing here reaches a real
 * resolver (this machine has none outside); the container's connection to that address is
 * redirected to the sidecar anyway, and workerd resolves the real name when the Worker lets the
 * request through. Pure packet handling, tested alone.
 */
import { createHash } from 'node:crypto';

const TYPE_A = 1;
const CLASS_IN = 1;
const RCODE_FORMERR = 1;
const RCODE_NXDOMAIN = 3;

/** The name and type a query asks for. */
export interface DnsQuestion {
  name: string;
  type: number;
  /** Offset just past the question in the packet. */
  end: number;
}

/**
 * Reads the first question of a DNS query, or `undefined` for a packet that is not one.
 *
 * @example
 * ```ts
 * readQuestion(packet); // { name: 'api.github.com', type: 1, end: 32 }
 * ```
 */
export function readQuestion(packet: Buffer): DnsQuestion | undefined {
  if (packet.length < 12 || (packet[2]! & 0x80) !== 0 || packet.readUInt16BE(4) < 1) return undefined;
  const labels: string[] = [];
  let at = 12;
  for (;;) {
    const length = packet[at];
    if (length === undefined || length > 63) return undefined;
    at += 1;
    if (length === 0) break;
    if (at + length > packet.length) return undefined;
    labels.push(packet.subarray(at, at + length).toString('ascii'));
    at += length;
  }
  if (at + 4 > packet.length) return undefined;
  return { name: labels.join('.').toLowerCase(), type: packet.readUInt16BE(at), end: at + 4 };
}

/**
 * The stand-in address for `name`: stable for a name, inside 198.19.0.0/16, never .0 or .255.
 *
 * @example
 * ```ts
 * standInAddress('api.github.com'); // '198.19.87.12' (for example)
 * ```
 */
export function standInAddress(name: string): string {
  const digest = createHash('sha256').update(name.toLowerCase()).digest();
  return `198.19.${digest[0]!}.${(digest[1]! % 254) + 1}`;
}

/**
 * The answer to `query`: an A record with {@link standInAddress} when `allowed(name)` and the
 * question is for A, an empty answer for other types of an allowed name, NXDOMAIN otherwise.
 *
 * @example
 * ```ts
 * socket.send(answerQuery(packet, (name) => hostnameAllowed(name, config.allowHostnames)), port, address);
 * ```
 */
export function answerQuery(query: Buffer, allowed: (name: string) => boolean): Buffer {
  const question = readQuestion(query);
  if (!question) return header(query, RCODE_FORMERR, 0, 0);
  const questionBytes = query.subarray(12, question.end);
  if (!allowed(question.name)) return Buffer.concat([header(query, RCODE_NXDOMAIN, 1, 0), questionBytes]);
  if (question.type !== TYPE_A) return Buffer.concat([header(query, 0, 1, 0), questionBytes]);
  const answer = Buffer.alloc(16);
  answer.writeUInt16BE(0xc00c, 0); // the name, by pointer to the question
  answer.writeUInt16BE(TYPE_A, 2);
  answer.writeUInt16BE(CLASS_IN, 4);
  answer.writeUInt32BE(60, 6);
  answer.writeUInt16BE(4, 10);
  standInAddress(question.name)
    .split('.')
    .forEach((octet, index) => answer.writeUInt8(Number(octet), 12 + index));
  return Buffer.concat([header(query, 0, 1, 1), questionBytes, answer]);
}

function header(query: Buffer, rcode: number, questions: number, answers: number): Buffer {
  const out = Buffer.alloc(12);
  out.writeUInt16BE(query.length >= 2 ? query.readUInt16BE(0) : 0, 0);
  const recursionDesired = query.length >= 3 ? query[2]! & 0x01 : 0;
  out.writeUInt8(0x80 | recursionDesired, 2); // a response, RD copied
  out.writeUInt8(0x80 | rcode, 3); // recursion available, the code
  out.writeUInt16BE(questions, 4);
  out.writeUInt16BE(answers, 6);
  return out;
}
