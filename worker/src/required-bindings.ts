/**
 * The text bindings the Worker cannot run without. A contract between the Worker (which
 * refuses to start without each, see `readConfig`), the Pulumi program (which must declare
 * each) and the local stack (which writes each to `.dev.vars`); tests on both sides hold
 * them to this list. Free of Workers types so Node code can import it.
 *
 * @example
 * ```ts
 * const missing = REQUIRED_TEXT_BINDINGS.filter((name) => !declared.includes(name));
 * ```
 */
export const REQUIRED_TEXT_BINDINGS = [
  'PUBLIC_URL',
  'ACCESS_ISSUER',
  'ACCESS_CLIENT_ID',
  'ACCESS_CLIENT_SECRET',
  'ACCESS_AUTHORIZATION_URL',
  'ACCESS_TOKEN_URL',
  'ACCESS_JWKS_URL',
  'IDENTITY_SIGNING_KEY',
  'COOKIE_SIGNING_KEY',
] as const;
