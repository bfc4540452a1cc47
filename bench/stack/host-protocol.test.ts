import { describe, expect, it } from 'vitest';
import { isInspectorNotice, parseHostLine } from './host-protocol.ts';

describe('parseHostLine', () => {
  it('reads the ready message and log lines', () => {
    expect(parseHostLine('{"ready":{"bridgeUrl":"http://127.0.0.1:1"}}')).toEqual({
      ready: { bridgeUrl: 'http://127.0.0.1:1' },
    });
    expect(parseHostLine('{"log":{"source":"worker","line":"{\\"event\\":\\"mcp_request\\"}"}}')).toEqual({
      log: { source: 'worker', line: '{"event":"mcp_request"}' },
    });
  });

  it('ignores anything else a library prints', () => {
    expect(parseHostLine('Starting default (STDIO) server...')).toBeUndefined();
    expect(parseHostLine('{"ready":{}}')).toBeUndefined();
    expect(parseHostLine('{not json')).toBeUndefined();
  });
});

describe('isInspectorNotice', () => {
  it("recognises what Node's inspector prints on stderr, from start to exit", () => {
    for (const line of [
      'Debugger listening on ws://127.0.0.1:44295/de3a90a3-0def-466c-bc07-291c8b679fab',
      'For help, see: https://nodejs.org/learn/getting-started/debugging',
      'Debugger attached.',
      'Debugger ending on ws://127.0.0.1:44295/de3a90a3-0def-466c-bc07-291c8b679fab',
      'Waiting for the debugger to disconnect...',
    ])
      expect(isInspectorNotice(line)).toBe(true);
  });

  it('keeps everything else, such as the reason a host failed', () => {
    expect(isInspectorNotice('Error: listen EADDRINUSE: address already in use 127.0.0.1:8788')).toBe(false);
    expect(isInspectorNotice('Starting inspector on 127.0.0.1:9229 failed: address already in use')).toBe(false);
  });
});
