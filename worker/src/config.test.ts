import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { ConfigError, readConfig } from './config.ts';
import { REQUIRED_TEXT_BINDINGS } from './required-bindings.ts';

describe('readConfig', () => {
  it('accepts the test configuration', () => {
    expect(readConfig(env).resource).toBe('http://localhost:8788/mcp');
  });

  it.each(REQUIRED_TEXT_BINDINGS)('refuses to run without %s, and names it', (name) => {
    let error: unknown;
    try {
      readConfig({ ...env, [name]: undefined });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.join('\n')).toContain(name);
  });

  it('reads an env once: the same frozen configuration comes back', () => {
    const first = readConfig(env);
    expect(readConfig(env)).toBe(first);
    expect(Object.isFrozen(first) && Object.isFrozen(first.allowedOrigins) && Object.isFrozen(first.access)).toBe(true);
  });

  it('reads another env anew, and never remembers a broken configuration', () => {
    const first = readConfig(env);
    const changed = readConfig({ ...env, ALLOWED_ORIGINS: 'https://app.example.com' });
    expect(changed).not.toBe(first);
    expect(changed.allowedOrigins).toContain('https://app.example.com');
    const broken = { ...env, PUBLIC_URL: 'not a url' };
    expect(() => readConfig(broken)).toThrow(ConfigError);
    expect(() => readConfig(broken)).toThrow(ConfigError);
    expect(readConfig(env).allowedOrigins).not.toContain('https://app.example.com');
  });

  it('reads how the id_token is read: the group field and the nonce rule, safe by default', () => {
    expect(readConfig(env).signIn).toEqual({ groupsField: 'name', nonce: 'required' });
    expect(readConfig({ ...env, ACCESS_GROUPS_FIELD: 'id', ACCESS_NONCE: 'if-present' }).signIn).toEqual({
      groupsField: 'id',
      nonce: 'if-present',
    });
    expect(() => readConfig({ ...env, ACCESS_GROUPS_FIELD: 'displayName' })).toThrow(
      /ACCESS_GROUPS_FIELD must be name, id or email/,
    );
    expect(() => readConfig({ ...env, ACCESS_NONCE: 'optional' })).toThrow(
      /ACCESS_NONCE must be required or if-present/,
    );
  });
});
