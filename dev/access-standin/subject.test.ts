import { describe, expect, it } from 'vitest';
import { accessSubjectFor } from './subject.ts';

describe('accessSubjectFor', () => {
  it('is an RFC 9562 version 8 UUID', () => {
    expect(accessSubjectFor('alice@example.com')).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });

  it('is stable per email, ignoring case, and differs between emails', () => {
    expect(accessSubjectFor('Alice@Example.com')).toBe(accessSubjectFor('alice@example.com'));
    expect(accessSubjectFor('bob@example.com')).not.toBe(accessSubjectFor('alice@example.com'));
  });
});
