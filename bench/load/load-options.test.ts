import { describe, expect, it } from 'vitest';
import { parseLoadOptions } from './load-options.ts';

describe('parseLoadOptions', () => {
  it('defaults to 64 clients for 2 minutes', () => {
    expect(parseLoadOptions([])).toEqual({ durationSeconds: 120, clients: 64 });
  });

  it('reads seconds and minutes', () => {
    expect(parseLoadOptions(['--duration', '90']).durationSeconds).toBe(90);
    expect(parseLoadOptions(['--duration', '45s']).durationSeconds).toBe(45);
    expect(parseLoadOptions(['--duration=1.5m', '--clients', '8'])).toEqual({ durationSeconds: 90, clients: 8 });
  });

  it('says what is wrong with bad input', () => {
    expect(() => parseLoadOptions(['--duration', 'soon'])).toThrow(/--duration must be .* got "soon"/);
    expect(() => parseLoadOptions(['--duration', '0'])).toThrow(/--duration/);
    expect(() => parseLoadOptions(['--clients', '0'])).toThrow(/--clients must be/);
    expect(() => parseLoadOptions(['--clients', '3.5'])).toThrow(/--clients must be/);
    expect(() => parseLoadOptions(['--speed', 'fast'])).toThrow(/speed/);
  });
});
