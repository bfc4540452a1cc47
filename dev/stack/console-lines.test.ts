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

  it('shows a drifted definition as one line naming both digests', () => {
    const record = {
      event: 'definition_drift',
      user: { email: 'alice@example.com' },
      kind: 'tool',
      name: 'echo',
      pinnedDigest: `sha256:${'a'.repeat(64)}`,
      observedDigest: `sha256:${'b'.repeat(64)}`,
      action: 'hidden',
    };
    expect(workerConsoleLine(JSON.stringify(record))).toEqual({
      tag: 'audit',
      text: `DEFINITION DRIFT  tool echo hidden (pinned sha256:${'a'.repeat(12)}…, offered sha256:${'b'.repeat(12)}…; seen by alice@example.com): npm run policy -- pin, then review`,
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
