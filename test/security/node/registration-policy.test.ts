/**
 * The registration bounds (docs/security.md 7) as a pure function, including the optional allow-list
 * of redirect hosts that the workerd suite (which runs without one) cannot reach.
 */
import { describe, expect, it } from 'vitest';
import { checkClientRegistration, MAX_REDIRECT_URIS } from '../../../worker/src/access/registration-policy.ts';

const open = { redirectHostAllowlist: [] };
const allowList = { redirectHostAllowlist: ['claude.ai', 'app.example.com'] };

describe('checkClientRegistration', () => {
  it('allows https and loopback http redirect URIs', () => {
    expect(
      checkClientRegistration(
        { redirect_uris: ['https://anything.example/cb', 'http://127.0.0.1:3000/cb', 'http://[::1]:1/cb'] },
        open,
      ),
    ).toBeUndefined();
  });

  it('with an allow-list, refuses a redirect host not on it but keeps loopback', () => {
    expect(
      checkClientRegistration({ redirect_uris: ['https://claude.ai/api/mcp/auth_callback'] }, allowList),
    ).toBeUndefined();
    expect(
      checkClientRegistration({ redirect_uris: ['http://localhost:6274/oauth/callback'] }, allowList),
    ).toBeUndefined();
    expect(checkClientRegistration({ redirect_uris: ['https://evil.example/cb'] }, allowList)?.description).toContain(
      'evil.example',
    );
    // A host that only starts like an allowed one is another host.
    expect(checkClientRegistration({ redirect_uris: ['https://claude.ai.evil.example/cb'] }, allowList)).toEqual({
      code: 'invalid_redirect_uri',
      description: 'redirect URI 1 uses host claude.ai.evil.example, which this gateway does not allow',
      status: 400,
    });
  });

  it('refuses non-http(s) schemes, credentials, fragments and plain http elsewhere', () => {
    for (const uri of [
      'javascript:alert(1)',
      'data:text/html,x',
      'http://evil.example/cb',
      'https://u:p@a.example/cb',
      'https://a.example/cb#x',
      'not a url',
      42,
    ]) {
      expect(checkClientRegistration({ redirect_uris: [uri] }, open)?.code, String(uri)).toBe('invalid_redirect_uri');
    }
  });

  it('bounds the number of redirect URIs and the metadata size', () => {
    const many = Array.from({ length: MAX_REDIRECT_URIS + 1 }, (_, i) => `https://a.example/${i}`);
    expect(checkClientRegistration({ redirect_uris: many }, open)).toEqual({
      code: 'invalid_redirect_uri',
      description: `at most ${MAX_REDIRECT_URIS} redirect URIs may be registered`,
      status: 400,
    });
    expect(
      checkClientRegistration(
        { redirect_uris: ['https://a.example/cb'], logo_uri: `https://a.example/${'x'.repeat(9000)}` },
        open,
      )?.code,
    ).toBe('invalid_client_metadata');
    expect(checkClientRegistration({ redirect_uris: [] }, open)).toEqual({
      code: 'invalid_redirect_uri',
      description: 'redirect_uris must list at least one URI',
      status: 400,
    });
  });
});
