import { describe, expect, it } from 'vitest';
import { answerQuery, readQuestion, standInAddress } from './dns-answer.ts';

/** A query as a resolver sends it: id, RD set, one question. */
function query(name: string, type = 1, id = 0x1234): Buffer {
  const labels = name.split('.').flatMap((label) => [Buffer.from([label.length]), Buffer.from(label)]);
  const header = Buffer.from([id >> 8, id & 0xff, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]);
  return Buffer.concat([header, ...labels, Buffer.from([0, type >> 8, type & 0xff, 0, 1])]);
}

describe('the sidecar’s DNS', () => {
  it('answers an allowed name with its stand-in address, keeping the id and the question', () => {
    const answer = answerQuery(query('API.github.com'), () => true);
    expect(answer.readUInt16BE(0)).toBe(0x1234);
    expect(answer[2]! & 0x81).toBe(0x81); // a response, recursion desired kept
    expect(answer[3]! & 0x0f).toBe(0); // NOERROR
    expect(answer.readUInt16BE(6)).toBe(1); // one answer
    const address = [...answer.subarray(answer.length - 4)].join('.');
    expect(address).toBe(standInAddress('api.github.com'));
    expect(address).toMatch(/^198\.19\.\d+\.\d+$/);
    expect(readQuestion(answer.subarray(0, answer.length - 16))).toBeUndefined(); // responses are not questions
  });

  it('refuses a name that is not allowed (NXDOMAIN), and answers other types with nothing', () => {
    expect(answerQuery(query('evil.example'), () => false)[3]! & 0x0f).toBe(3);
    const aaaa = answerQuery(query('api.github.com', 28), () => true);
    expect(aaaa[3]! & 0x0f).toBe(0);
    expect(aaaa.readUInt16BE(6)).toBe(0);
  });

  it('answers garbage with FORMERR', () => {
    expect(answerQuery(Buffer.from([1, 2, 3]), () => true)[3]! & 0x0f).toBe(1);
  });

  it('gives each name a stable address, never .0 or .255', () => {
    expect(standInAddress('a.test')).toBe(standInAddress('A.TEST'));
    for (let i = 0; i < 500; i++) expect(standInAddress(`host${i}.test`)).not.toMatch(/\.(0|255)$/);
  });
});
