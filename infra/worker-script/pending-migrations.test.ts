import { describe, expect, it } from 'vitest';
import { pendingMigrations } from './pending-migrations.ts';

const history = [
  { tag: 'v1', newSqliteClasses: ['McpContainer'] },
  { tag: 'v2', newSqliteClasses: ['AuditLog'] },
];

describe('pendingMigrations', () => {
  it('sends every step to a Worker that has none applied', () => {
    expect(pendingMigrations(history, undefined)).toEqual({
      new_tag: 'v2',
      steps: [{ new_sqlite_classes: ['McpContainer'] }, { new_sqlite_classes: ['AuditLog'] }],
    });
  });

  it('sends only the steps after the deployed tag, naming it as old_tag', () => {
    expect(pendingMigrations(history, 'v1')).toEqual({
      old_tag: 'v1',
      new_tag: 'v2',
      steps: [{ new_sqlite_classes: ['AuditLog'] }],
    });
  });

  it('sends nothing when the newest tag is deployed, or when there is no Durable Object class', () => {
    expect(pendingMigrations(history, 'v2')).toBeUndefined();
    expect(pendingMigrations([], undefined)).toBeUndefined();
  });

  it('refuses a deployed tag it does not know, and repeated tags', () => {
    expect(() => pendingMigrations(history, 'v7')).toThrow(/"v7", which is not in this program's history \(v1, v2\)/);
    expect(() => pendingMigrations([...history, history[0]!], undefined)).toThrow(/unique/);
  });
});
