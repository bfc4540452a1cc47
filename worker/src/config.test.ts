import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { ConfigError, readConfig } from './config.ts';
import { REQUIRED_TEXT_BINDINGS } from './required-bindings.ts';

describe('readConfig', () => {
  it('accepts the test configuration', () => {
    expect(readConfig(env).resource).toBe('http://localhost:8788/mcp');
  });

  it.each(REQUIRED_TEXT_BINDINGS)('refuses to run without %s, and names it', (name) => {
    const error = (() => {
      try {
        readConfig({ ...env, [name]: undefined } as unknown as Cloudflare.Env);
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.join('\n')).toContain(name);
  });
});
