/**
 * The stand-in's URL layout. Everything lives under Access's own `/cdn-cgi/access/`
 * paths, as on a team domain (`<team>.cloudflareaccess.com`), so the Worker is
 * configured the same way locally and in production.
 */

/** Every stand-in path starts with this, as every Cloudflare Access path does. */
export const ACCESS_PATH_PREFIX = '/cdn-cgi/access/';

/** Where the login pages live: `/cdn-cgi/access/login/<interaction id>`. */
export const LOGIN_PATH_PREFIX = `${ACCESS_PATH_PREFIX}login/`;

/**
 * Path of the OIDC issuer of one Access for SaaS application, as Cloudflare derives it
 * from the application's client id.
 *
 * @example
 * ```ts
 * issuerPathFor('abc123'); // '/cdn-cgi/access/sso/oidc/abc123'
 * ```
 */
export function issuerPathFor(clientId: string): string {
  return `${ACCESS_PATH_PREFIX}sso/oidc/${encodeURIComponent(clientId)}`;
}

/** Path of the login page for one sign-in (an oidc-provider interaction). */
export function loginPathFor(interactionId: string): string {
  return `${LOGIN_PATH_PREFIX}${encodeURIComponent(interactionId)}`;
}
