import { describe, expect, it } from 'vitest';
import { physicalNameFor } from './naming.ts';

describe('physicalNameFor', () => {
  it('joins project, stack and suffix', () => {
    expect(physicalNameFor('secure-mcp', 'dev', 'oauth-kv')).toBe('secure-mcp-dev-oauth-kv');
  });

  it('gives two stacks different names for the same suffix', () => {
    expect(physicalNameFor('secure-mcp', 'dev', 'gateway')).not.toBe(physicalNameFor('secure-mcp', 'prod', 'gateway'));
  });

  it.each([
    ['stack', 'Dev'],
    ['stack', 'pr_42'],
    ['stack', 'eu.prod'],
    ['stack', ''],
  ])('refuses a %s name that is not a hostname label: %j', (part, value) => {
    expect(() => physicalNameFor('secure-mcp', value, 'gateway')).toThrow(`The ${part} name ${JSON.stringify(value)}`);
  });

  it('refuses a name longer than a hostname label', () => {
    expect(() => physicalNameFor('secure-mcp', 'a'.repeat(50), 'gateway')).toThrow(/at most 63/);
  });
});
