import { describe, expect, it } from 'vitest';
import { auditCoverage, parseAuditLine, type AuditLine } from './audit-coverage.ts';

const call = (digest: string | null, name = 'echo', method = 'tools/call'): AuditLine => ({
  event: 'mcp_request',
  method,
  target: { kind: 'tool', name },
  outcome: 'ok',
  argumentsDigest: digest,
});

describe('auditCoverage', () => {
  it('passes when every call has exactly one record', () => {
    const coverage = auditCoverage(['a', 'b'], [call('b'), call('a'), call(null, 'echo', 'tools/list')], 'echo');
    expect(coverage).toEqual({ calls: 2, records: 2, missing: 0, duplicated: 0, unexpected: 0 });
  });

  it('finds missing, duplicated and unexpected records', () => {
    const coverage = auditCoverage(['a', 'b', 'c'], [call('a'), call('a'), call('b'), call('z')], 'echo');
    expect(coverage).toMatchObject({ missing: 1, duplicated: 1, unexpected: 1, records: 4 });
  });

  it('ignores other tools and methods', () => {
    expect(auditCoverage(['a'], [call('a', 'add'), call('a', 'echo', 'prompts/get')], 'echo').missing).toBe(1);
  });

  it('refuses a run whose calls share arguments (they could not be told apart)', () => {
    expect(() => auditCoverage(['a', 'a'], [], 'echo')).toThrow(/arguments of its own/);
  });
});

describe('parseAuditLine', () => {
  it('reads audit records and nothing else', () => {
    expect(parseAuditLine(JSON.stringify(call('a')))?.argumentsDigest).toBe('a');
    expect(parseAuditLine('[wrangler:info] POST /mcp 200 OK (3ms)')).toBeUndefined();
    expect(parseAuditLine('{"event":"admin.revoke_user"}')).toBeUndefined();
    expect(parseAuditLine('{broken')).toBeUndefined();
  });
});
