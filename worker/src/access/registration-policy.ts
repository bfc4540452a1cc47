/**
 * Bounds on dynamic client registration (docs/security.md 7), on top of what the OAuth provider
 * checks itself (a 1 MiB body, valid grant and response types, http(s) redirect URIs with
 * `http` for loopback only). Pure: the provider calls it with the parsed metadata.
 */
import type { ClientRegistrationCallbackResult } from '@cloudflare/workers-oauth-provider';

/** Largest accepted client metadata document, serialized. Real clients send well under 2 KiB. */
const MAX_CLIENT_METADATA_BYTES = 8 * 1024;
/** Most redirect URIs one client may register. */
export const MAX_REDIRECT_URIS = 10;
/** Longest accepted client name. */
const MAX_CLIENT_NAME_LENGTH = 200;

export interface RegistrationPolicy {
  /** Host names redirect URIs may use besides loopback; empty allows any host. */
  redirectHostAllowlist: readonly string[];
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Decides whether a client may register; `undefined` allows it, anything else is the refusal the
 * provider returns (`invalid_client_metadata`, or `invalid_redirect_uri` naming the bad URI).
 *
 * @example
 * ```ts
 * checkClientRegistration({ redirect_uris: ['javascript:alert(1)'] }, { redirectHostAllowlist: [] });
 * // { code: 'invalid_redirect_uri', description: 'redirect URI 1 must use https (http only for loopback)', status: 400 }
 * ```
 */
export function checkClientRegistration(
  metadata: Record<string, unknown>,
  policy: RegistrationPolicy,
): ClientRegistrationCallbackResult | undefined {
  const size = new TextEncoder().encode(JSON.stringify(metadata)).byteLength;
  if (size > MAX_CLIENT_METADATA_BYTES) {
    return refuse('invalid_client_metadata', `client metadata must be under ${MAX_CLIENT_METADATA_BYTES} bytes`);
  }
  const name = metadata.client_name;
  if (typeof name === 'string' && name.length > MAX_CLIENT_NAME_LENGTH) {
    return refuse('invalid_client_metadata', `client_name must be at most ${MAX_CLIENT_NAME_LENGTH} characters`);
  }
  const uris = metadata.redirect_uris;
  if (!Array.isArray(uris) || uris.length === 0)
    return refuse('invalid_redirect_uri', 'redirect_uris must list at least one URI');
  if (uris.length > MAX_REDIRECT_URIS) {
    return refuse('invalid_redirect_uri', `at most ${MAX_REDIRECT_URIS} redirect URIs may be registered`);
  }
  for (const [index, uri] of uris.entries()) {
    const problem = redirectUriProblem(uri, policy);
    if (problem) return refuse('invalid_redirect_uri', `redirect URI ${index + 1} ${problem}`);
  }
  return undefined;
}

function redirectUriProblem(uri: unknown, policy: RegistrationPolicy): string | undefined {
  if (typeof uri !== 'string') return 'must be a string';
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return 'is not a valid URL';
  }
  const loopback = LOOPBACK_HOSTS.has(url.hostname) || /^127\.\d+\.\d+\.\d+$/.test(url.hostname);
  if (!(url.protocol === 'https:' || (url.protocol === 'http:' && loopback))) {
    return 'must use https (http only for loopback)';
  }
  if (url.username || url.password) return 'must not carry credentials';
  if (url.hash) return 'must not have a fragment';
  if (!loopback && policy.redirectHostAllowlist.length > 0 && !policy.redirectHostAllowlist.includes(url.hostname)) {
    return `uses host ${url.hostname}, which this gateway does not allow`;
  }
  return undefined;
}

function refuse(code: string, description: string): ClientRegistrationCallbackResult {
  return { code, description, status: 400 };
}
