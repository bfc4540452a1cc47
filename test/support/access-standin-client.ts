/**
 * The OAuth client the Access stand-in's own tests sign in as: one registration (id, secret, a
 * redirect URI that is never opened, since the tests stop before it) and the authorization
 * request the Worker sends (PKCE S256, state, nonce), so each test file starts the stand-in and
 * asks it the way the gateway does, without its own copy of either.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { AccessStandInOptions, RunningAccessStandIn } from '../../dev/access-standin/server.ts';

/** The registration every stand-in test uses. */
export const TEST_CLIENT = {
  clientId: 'test-client',
  clientSecret: 'test-secret',
  redirectUri: 'http://localhost:9/callback',
} as const;

/**
 * Options for `startAccessStandIn` with the test client registered, on a free port.
 *
 * @example
 * ```ts
 * const standIn = await startAccessStandIn(standInOptions({ users: await loadDevUsers(), policies: accessPolicies }));
 * ```
 */
export function standInOptions(
  options: Omit<AccessStandInOptions, 'port' | 'clientId' | 'clientSecret' | 'redirectUris'> &
    Partial<Pick<AccessStandInOptions, 'redirectUris'>>,
): AccessStandInOptions {
  return {
    port: 0,
    clientId: TEST_CLIENT.clientId,
    clientSecret: TEST_CLIENT.clientSecret,
    redirectUris: [TEST_CLIENT.redirectUri],
    ...options,
  };
}

/**
 * An authorization request of the test client, as the Worker builds it: the URL and the
 * verifier, state and nonce a test checks the answer against.
 *
 * @example
 * ```ts
 * const { url, verifier } = authorizationRequest(standIn);
 * await signInAtAccess(new BrowserSession(), url, 'alice@example.com');
 * ```
 */
export function authorizationRequest(
  standIn: Pick<RunningAccessStandIn, 'authorizationUrl'>,
  extra: Record<string, string> = {},
): { url: string; verifier: string; state: string; nonce: string } {
  const verifier = randomBytes(32).toString('base64url');
  const state = randomBytes(16).toString('base64url');
  const nonce = randomBytes(16).toString('base64url');
  const url = new URL(standIn.authorizationUrl);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: TEST_CLIENT.clientId,
    redirect_uri: TEST_CLIENT.redirectUri,
    scope: 'openid email profile groups',
    state,
    nonce,
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    ...extra,
  }).toString();
  return { url: url.href, verifier, state, nonce };
}
