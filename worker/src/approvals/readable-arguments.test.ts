import { describe, expect, it } from 'vitest';
import { HIDDEN, readableArguments } from './readable-arguments.ts';

describe('readable arguments', () => {
  it('shows one line per value, nested values indented, strings quoted', () => {
    expect(readableArguments({ path: '/srv/app', force: true, count: 3, tags: ['a', 'b'], options: { mode: 'fast' } }))
      .toBe(`path: "/srv/app"
force: true
count: 3
tags:
  - "a"
  - "b"
options:
  mode: "fast"`);
  });

  it('hides values under secret-looking names, whatever their spelling', () => {
    const text = readableArguments({
      password: 'hunter2',
      dbPassword: 'x',
      api_key: 'abc',
      'X-Auth-Token': 'abc',
      privateKey: 'abc',
      clientSecret: 'abc',
      key: 'customer-42',
      monkey: 'banana',
    });
    expect(text).not.toMatch(/hunter2|"abc"|"x"/);
    expect(text.split('\n').filter((line) => line.endsWith(HIDDEN))).toHaveLength(6);
    // A key that is just a key, and a word that merely contains one, stay readable.
    expect(text).toContain('key: "customer-42"');
    expect(text).toContain('monkey: "banana"');
  });

  it('hides values shaped like credentials under any name', () => {
    const shapes = [
      'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
      'sk-proj-abcdefghijklmnopqrstuvwx',
      'ghp_abcdefghijklmnopqrstuvwxyz0123456789',
      'AKIAIOSFODNN7EXAMPLE',
      'postgres://admin:s3cret@db.internal:5432/app',
      '-----BEGIN RSA PRIVATE KEY-----\nMIIE...',
      'Q2hhbmdlTWVAMjAyNiFhYmNkZWZnaGlqazEyMzQ1Njc4OTA',
    ];
    for (const value of shapes) expect(readableArguments({ note: value })).toBe(`note: ${HIDDEN}`);
    // Long ordinary text, paths and URLs are not secrets.
    expect(
      readableArguments({ note: 'https://raw.githubusercontent.com/modelcontextprotocol/servers/main/README.md' }),
    ).toContain('README.md');
    expect(readableArguments({ note: 'Deploy the application to production now' })).toContain('Deploy the');
  });

  it('escapes characters that could fake a line or reorder the text the approver reads', () => {
    const text = readableArguments({ file: 'invoice\u202Efdp.exe', note: 'ok\nforce: false', zero: 'a\u200Bb' });
    expect(text).toContain('"invoice\\u202efdp.exe"');
    expect(text).toContain('"ok\\nforce: false"');
    expect(text).toContain('"a\\u200bb"');
    expect(text.split('\n')).toHaveLength(3);
  });

  it('bounds long strings, long lists, deep nesting and the whole text', () => {
    expect(readableArguments({ text: 'x'.repeat(500) })).toMatch(/"x{200}"… \(300 more characters\)$/);
    expect(readableArguments({ list: Array.from({ length: 30 }, (_, index) => index) })).toContain('… (10 more)');
    let deep: unknown = 'bottom';
    for (let level = 0; level < 12; level++) deep = { level: deep };
    expect(readableArguments({ deep })).toContain('nested too deep to show');
    const huge = Object.fromEntries(Array.from({ length: 20 }, (_, index) => [`field${index}`, 'y'.repeat(190)]));
    const text = readableArguments(huge);
    expect(text.length).toBeLessThan(2_100);
    expect(text).toMatch(/shortened: the arguments are longer than 2000 characters\)$/);
  });

  it('says when there are no arguments', () => {
    expect(readableArguments(undefined)).toBe('(no arguments)');
    expect(readableArguments({})).toBe('(no arguments)');
  });
});
