import { describe, expect, it } from 'vitest';
import { describeShape, readGroupsClaim, UnreadableGroupsError } from './groups-claim.ts';

const entra = [
  { id: '61503835-b6fe-4630-af88-de551dd59a20', name: 'Engineering', email: 'eng@example.com' },
  { id: '0b7e4d1c-2f3a-4b5c-8d6e-7f8091a2b3c4', name: 'Support' },
];

describe('readGroupsClaim', () => {
  it('keeps strings as they are, once each', () => {
    expect(readGroupsClaim(['engineering', 'support', 'engineering'], 'name')).toEqual(['engineering', 'support']);
  });

  it('reads the configured field of group objects', () => {
    expect(readGroupsClaim(entra, 'name')).toEqual(['Engineering', 'Support']);
    expect(readGroupsClaim(entra, 'id')).toEqual([
      '61503835-b6fe-4630-af88-de551dd59a20',
      '0b7e4d1c-2f3a-4b5c-8d6e-7f8091a2b3c4',
    ]);
  });

  it('reads no groups when the claim is absent (one-time PIN) or empty', () => {
    expect(readGroupsClaim(undefined, 'name')).toEqual([]);
    expect(readGroupsClaim([], 'name')).toEqual([]);
  });

  it.each([
    ['a string', 'engineering', 'a string, not a list'],
    ['an object', { engineering: true }, 'an object with engineering, not a list'],
    ['null', null, 'null, not a list'],
    ['a number element', ['engineering', 7], 'a list of 2 mixed elements (string, number); an element is a number'],
    ['an empty string', [''], 'a list of 1 string; an element is a string'],
    [
      'an object without the field',
      entra,
      'a list of 2 objects with email, id, name; an element is an object with id, name, without a text "email" (ACCESS_GROUPS_FIELD)',
    ],
  ])('refuses %s, describing its shape and never its values', (_what, claim, shape) => {
    let error: unknown;
    try {
      readGroupsClaim(claim, 'email');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(UnreadableGroupsError);
    expect((error as UnreadableGroupsError).shape).toBe(shape);
    expect((error as Error).message).not.toMatch(/Engineering|Support|61503835|eng@example/);
  });
});

describe('describeShape', () => {
  it('names kinds, counts and keys, not values', () => {
    expect(describeShape('alice@example.com')).toBe('a string');
    expect(describeShape(1_700_000_000)).toBe('a number');
    expect(describeShape(true)).toBe('a boolean');
    expect(describeShape(undefined)).toBe('an undefined');
    expect(describeShape(['a'])).toBe('a list of 1 string');
    expect(describeShape(entra)).toBe('a list of 2 objects with email, id, name');
    expect(describeShape({ country: 'PT' })).toBe('an object with country');
  });
});
