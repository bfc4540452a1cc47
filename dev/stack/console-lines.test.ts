import { describe, expect, it } from 'vitest';
import { workerConsoleLine } from './console-lines.ts';

describe('workerConsoleLine', () => {
  it('shortens an audit record to one line', () => {
    const record = {
      event: 'mcp_request',
      user: { email: 'bob@example.com' },
      httpMethod: 'POST',
      method: 'tools/call',
      target: { kind: 'tool', name: 'get-env' },
      decision: 'deny',
      rule: 'no-environment-dumps',
      outcome: 'denied',
      status: 200,
      latencyMs: 2,
    };
    expect(workerConsoleLine(JSON.stringify(record))).toEqual({
      tag: 'audit',
      text: 'bob@example.com  tools/call get-env  deny (no-environment-dumps) -> denied, 200, 2 ms',
    });
  });

  it('keeps wrangler errors and hides its routine lines', () => {
    expect(workerConsoleLine('✘ [ERROR] Build failed')).toEqual({ tag: 'worker', text: '✘ [ERROR] Build failed' });
    expect(workerConsoleLine('[wrangler:info] POST /mcp 200 OK (7ms)')).toBeUndefined();
    expect(workerConsoleLine('{"event":"something_else"}')).toBeUndefined();
  });

  it('shows an id_token the Worker refused, with its reason', () => {
    expect(
      workerConsoleLine(
        '{"event":"sign_in.refused","reason":"the groups claim cannot be read (a string, not a list)"}',
      ),
    ).toEqual({
      tag: 'sign-in',
      text: 'refused by the Worker: the groups claim cannot be read (a string, not a list)',
    });
  });
});
