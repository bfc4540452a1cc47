/**
 * A sign-in at the stand-in without a person, for the scripts and tests that need a signed-in user
 * but not a browser, ending where Access would hand the browser back to the Worker.
 */
import type { BrowserSession } from '../browser-session.ts';
import { ACCESS_PATH_PREFIX } from './paths.ts';

/** How a scripted sign-in at the stand-in ended. */
export type AccessSignInResult =
  /** Signed in: `location` is where Access sends the browser back to (with `code` and `state`), not yet opened. */
  | { outcome: 'redirected'; location: string }
  /** The Access policies refused the person: Access's 403 page. */
  | { outcome: 'refused'; status: number; html: string }
  /** The email is not a dev user: the login page again, with an error. */
  | { outcome: 'unknown-user'; html: string };

/**
 * Signs in at the Access stand-in as a browser would: opens `authorizationUrl` (where
 * the Worker redirects the browser), posts the login form with `email`, and returns
 * the first redirect that leaves the stand-in's `/cdn-cgi/access/` paths, without
 * fetching it. When the browser is already signed in at the stand-in, there is no
 * login page and the redirect comes straight away.
 *
 * @example
 * ```ts
 * const result = await signInAtAccess(browser, accessAuthorizationUrl, 'alice@example.com');
 * if (result.outcome === 'redirected') await browser.follow(result.location); // the Worker's /callback
 * ```
 */
export async function signInAtAccess(
  browser: BrowserSession,
  authorizationUrl: string,
  email: string,
): Promise<AccessSignInResult> {
  const standInOrigin = new URL(authorizationUrl).origin;
  const leavesStandIn = (url: URL): boolean =>
    url.origin !== standInOrigin || !url.pathname.startsWith(ACCESS_PATH_PREFIX);

  const opened = await browser.follow(authorizationUrl, undefined, { until: leavesStandIn });
  if (opened.stopped) return { outcome: 'redirected', location: opened.url.href };
  if (opened.response.status !== 200)
    throw await unexpected(opened.response, opened.url, 'opening the authorization URL');

  // The login page posts to its own URL: the documented non-interactive login.
  const submitted = await browser.follow(
    opened.url,
    { method: 'POST', body: new URLSearchParams({ email }) },
    { until: leavesStandIn },
  );
  if (submitted.stopped) return { outcome: 'redirected', location: submitted.url.href };
  const { response } = submitted;
  if (response.status === 403) return { outcome: 'refused', status: response.status, html: await response.text() };
  if (response.status === 401) return { outcome: 'unknown-user', html: await response.text() };
  throw await unexpected(response, submitted.url, `signing in as ${email}`);
}

async function unexpected(response: Response, url: URL, step: string): Promise<Error> {
  const body = (await response.text()).slice(0, 500);
  return new Error(`signInAtAccess: unexpected ${response.status} from ${url.href} while ${step}:\n${body}`);
}
