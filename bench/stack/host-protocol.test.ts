import { describe, expect, it } from 'vitest';
import { parseHostLine } from './host-protocol.ts';

describe('parseHostLine', () => {
  it('reads the ready message and log lines', () => {
    expect(parseHostLine('{"ready":{"bridgeUrl":"http://127.0.0.1:1"}}')).toEqual({ ready: { bridgeUrl: 'http://127.0.0.1:1' } });
    expect(parseHostLine('{"log":{"source":"worker","line":"{\\"event\\":\\"mcp_request\\"}"}}')).toEqual({ log: { source: 'worker', line: '{"event":"mcp_request"}' } });
  });

  it('ignores anything else a library prints', () => {
    expect(parseHostLine('Starting default (STDIO) server...')).toBeUndefined();
    expect(parseHostLine('{"ready":{}}')).toBeUndefined();
    expect(parseHostLine('{not json')).toBeUndefined();
  });
});
