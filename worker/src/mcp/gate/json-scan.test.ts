import { describe, expect, it } from 'vitest';
import { scanJsonText } from './json-scan.ts';

describe('scanJsonText', () => {
  it('counts nesting and ignores brackets inside strings, escaped quotes included', () => {
    expect(scanJsonText('{"a":[1,{"b":"]]]"}]}', 64).depth).toBe(3);
    expect(scanJsonText('{"a":"\\"[[[[[["}', 64).depth).toBe(1);
    expect(scanJsonText('1', 64).depth).toBe(0);
  });

  it('stops as soon as the depth limit is passed', () => {
    expect(scanJsonText('['.repeat(1_000_000), 64).depth).toBe(65);
  });

  it.each([
    ['the same key twice', '{"name":"echo","name":"get-env"}', 'name'],
    ['an escaped spelling of the same key', '{"name":"echo","n\\u0061me":"get-env"}', 'name'],
    ['a repeat deep down', '{"a":{"b":[{"c":1,"d":2,"c":3}]}}', 'c'],
    ['a repeat after a nested object', '{"x":{"y":1},"x":2}', 'x'],
  ])('finds %s', (_name, text, key) => {
    expect(scanJsonText(text, 64).duplicateKey).toBe(key);
  });

  it('does not take values, strings that look like keys, or keys of sibling objects for repeats', () => {
    expect(scanJsonText('{"a":"a","b":["a","a"],"c":{"a":1},"d":{"a":2}}', 64).duplicateKey).toBeUndefined();
    expect(scanJsonText('[{"a":1},{"a":1}]', 64).duplicateKey).toBeUndefined();
    expect(scanJsonText('{"a":"\\",\\"a\\":"}', 64).duplicateKey).toBeUndefined();
  });

  it('flags numbers that JSON.stringify would write differently', () => {
    for (const exact of ['1', '-3', '0', '0.5', '123456789012345', '[1,2.25,-7]'])
      expect(scanJsonText(exact, 64).inexactNumbers, exact).toBe(false);
    for (const inexact of ['9007199254740993', '1e400', '1.0', '-0', '1E2', '0.10', '{"a":[12345678901234567890]}'])
      expect(scanJsonText(inexact, 64).inexactNumbers, inexact).toBe(true);
  });

  it('does not read digits inside strings as numbers', () => {
    expect(scanJsonText('{"a":"1.0e400"}', 64).inexactNumbers).toBe(false);
  });
});
