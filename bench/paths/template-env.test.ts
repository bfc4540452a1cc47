import { describe, expect, it } from 'vitest';
import { templateCallbackUrl, templateEnvVars } from './template-env.ts';

describe('templateEnvVars', () => {
  it('names the Worker URL and the Access application the template reads', () => {
    const vars = templateEnvVars(
      'http://localhost:40123',
      { authorizationUrl: 'http://localhost:1/authorization', tokenUrl: 'http://localhost:1/token' },
      { id: 'template-shape', secret: 's3cret' },
    );
    expect(vars).toEqual({
      PUBLIC_URL: 'http://localhost:40123',
      ACCESS_CLIENT_ID: 'template-shape',
      ACCESS_CLIENT_SECRET: 's3cret',
      ACCESS_AUTHORIZATION_URL: 'http://localhost:1/authorization',
      ACCESS_TOKEN_URL: 'http://localhost:1/token',
    });
  });
});

describe('templateCallbackUrl', () => {
  it('is the Worker origin with /callback', () => {
    expect(templateCallbackUrl('http://localhost:40123')).toBe('http://localhost:40123/callback');
  });
});
