import { describe, expect, it } from 'vitest';
import { climbsOut, nonCanonicalUri, readingsOf } from './uri-readings.ts';

describe('readingsOf', () => {
  it('gives the value as written and fully percent-decoded', () => {
    expect(readingsOf('/srv/data/a.txt')).toEqual({ ok: true, readings: ['/srv/data/a.txt'] });
    expect(readingsOf('/srv/%2561')).toEqual({ ok: true, readings: ['/srv/%2561', '/srv/a'] });
    expect(readingsOf('/srv/100%/x')).toEqual({ ok: true, readings: ['/srv/100%/x'] });
  });

  it.each([
    ['a tab', '/srv/.\t./etc'],
    ['a CR', '/srv/.\r./etc'],
    ['a LF', '/srv/.\n./etc'],
    ['a NUL', '/srv/data\u0000.txt'],
    ['an encoded LF', '/srv/.%0a./etc'],
    ['an overlong UTF-8 dot', '/srv/%c0%ae%c0%ae/etc'],
    ['an unfinished UTF-8 sequence', '/srv/%e2%82'],
    ['five layers of encoding', '/srv/%252525252e'],
  ])('refuses %s', (_name, value) => {
    expect(readingsOf(value).ok).toBe(false);
  });
});

describe('climbsOut', () => {
  it.each([
    '../etc',
    '/srv/../etc',
    'a\\..\\b',
    'https://h/org/..?x',
    'https://h/org/..#x',
    '/srv/..;/x',
    '/srv/．．/etc',
  ])('finds .. in %s', (value) => expect(climbsOut(value)).toBe(true));
  it.each(['/srv/a..b', '/srv/..a', 'https://h/org/x.y', '/srv/.../x'])('leaves %s alone', (value) =>
    expect(climbsOut(value)).toBe(false),
  );
});

describe('nonCanonicalUri', () => {
  it.each([
    ['file:///srv/shared/../../etc/passwd', 'has a . or .. segment'],
    ['file:///srv/shared/./secret/a', 'has a . or .. segment'],
    ['file:///srv/shared//secret/a', 'has an empty path segment (//)'],
    ['file:///srv/shared\\..\\etc', 'has a . or .. segment'],
    ['demo://resource/x?path=../../etc', 'has a . or .. segment'],
  ])('refuses %s', (uri, problem) => {
    expect(nonCanonicalUri(uri)).toBe(problem);
  });
  it.each([
    'file:///srv/shared/a.txt',
    'demo://resource/static/document/a.md',
    'https://api.example.com/x?u=https://b/c',
    'urn:isbn:123',
  ])('accepts %s', (uri) => expect(nonCanonicalUri(uri)).toBeUndefined());
});
