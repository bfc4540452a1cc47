import { describe, expect, it } from 'vitest';
import { bridgeClaim } from './engine.ts';

describe('the engine’s claim on an existing bridge', () => {
  it('reuses the bridge its own folder created', () => {
    expect(bridgeClaim('/work/.docker', '/work/.docker', false)).toBe('reuse');
  });

  it('refuses a bridge whose engine still runs, so two engines never share one', () => {
    expect(bridgeClaim('/other/.docker', '/work/.docker', true)).toBe('refuse');
  });

  it('takes over a bridge left by an engine that no longer runs (a CI run after a killed session)', () => {
    expect(bridgeClaim('/other/.docker', '/work/.docker', false)).toBe('take-over');
    expect(bridgeClaim('', '/work/.docker', false)).toBe('take-over');
  });
});
