import { describe, expect, it } from 'vitest';
import { pendingMigrations } from './pending-migrations.ts';

const history = [
  { tag: 'v1', newSqliteClasses: ['McpContainer'] },
  { tag: 'v2', newSqliteClasses: ['AuditLog'] },
];

describe('pendingMigrations', () => {
  it('sends every step to a Worker that has none applied', () => {
    expect(pendingMigrations(history, undefined)).toEqual({
      newTag: 'v2',
      steps: [{ newSqliteClasses: ['McpContainer'] }, { newSqliteClasses: ['AuditLog'] }],
    });
  });

  it('sends only the steps after the deployed tag, naming it as oldTag', () => {
    expect(pendingMigrations(history, 'v1')).toEqual({
      oldTag: 'v1',
      newTag: 'v2',
      steps: [{ newSqliteClasses: ['AuditLog'] }],
    });
  });

  it('sends nothing when the newest tag is deployed', () => {
    expect(pendingMigrations(history, 'v2')).toBeUndefined();
  });

  it('refuses a deployed tag it does not know, an empty history, and repeated tags', () => {
    expect(() => pendingMigrations(history, 'v7')).toThrow(/"v7", which is not in this program's history \(v1, v2\)/);
    expect(() => pendingMigrations([], undefined)).toThrow(/at least one migration/);
    expect(() => pendingMigrations([...history, history[0]!], undefined)).toThrow(/unique/);
  });
});
