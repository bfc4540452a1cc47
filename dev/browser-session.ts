/**
 * A browser for scripts: cookies and redirects handled as a browser on a developer's machine
 * would, so the sign-in dance between the Worker and the Access stand-in can be played without
 * Chromium.
 */
import { CookieJar } from 'tough-cookie';

/** How `BrowserSession.follow` ended: at a final (non-redirect) response, or stopped before a URL. */
export type FollowResult = { stopped: false; response: Response; url: URL } | { stopped: true; url: URL };

/** Options for `BrowserSession.follow`. */
export interface FollowOptions {
  /** Stop before fetching the first redirect target for which this returns true. */
  until?: (url: URL) => boolean;
  /** Most redirects to follow before giving up with an error. Default 20, like browsers. */
  maxHops?: number;
}

const redirectStatuses = new Set([301, 302, 303, 307, 308]);

/**
 * A scripted browser for tests and CLIs: one cookie jar, requests that send and store
 * cookies, and redirects followed only when asked.
 *
 * Cookies behave as in Chrome on a developer machine: they belong to a host, not a
 * port (the Worker on `localhost:8788` and the Access stand-in on `localhost:<port>`
 * share them), and `http://localhost` counts as a secure context, so `Secure` and
 * `__Host-` cookies are stored and sent. Prefixed cookies that break their prefix's
 * rules are dropped silently, as browsers do. SameSite is not enforced: every local
 * service is on the same site (`localhost`), where a browser would send them anyway.
 *
 * @example
 * ```ts
 * const browser = new BrowserSession();
 * const { response } = await browser.follow('http://localhost:8788/authorize?…');
 * ```
 */
export class BrowserSession {
  /** The jar, for tests that inspect or tamper with cookies. */
  readonly cookies = new CookieJar(undefined, { allowSecureOnLocal: true, prefixSecurity: 'silent' });

  /**
   * One request, without following redirects: sends the jar's cookies for `url` and
   * stores any `Set-Cookie` of the response.
   */
  async fetch(url: string | URL, init: RequestInit = {}): Promise<Response> {
    const target = new URL(url);
    const headers = new Headers(init.headers);
    const cookie = await this.cookies.getCookieString(target);
    if (cookie) headers.set('Cookie', cookie);

    const response = await fetch(target, { ...init, headers, redirect: 'manual' });
    for (const setCookie of response.headers.getSetCookie()) {
      // A browser ignores a cookie it cannot store; so does this one.
      await this.cookies.setCookie(setCookie, target, { ignoreError: true });
    }
    return response;
  }

  /**
   * Requests `url` and follows redirects like a browser navigation: 301, 302 and 303
   * continue with a GET without body; 307 and 308 repeat the request. Returns the first
   * non-redirect response, or stops before fetching a redirect target for which
   * `until(target)` is true and returns that target. `until` is not asked about `url`
   * itself, which is always fetched.
   *
   * @example
   * ```ts
   * const result = await browser.follow(loginUrl, { method: 'POST', body: form }, {
   *   until: (url) => url.pathname === '/callback',
   * });
   * if (result.stopped) console.log('about to open', result.url.href);
   * ```
   */
  async follow(
    url: string | URL,
    init?: RequestInit,
    { until, maxHops = 20 }: FollowOptions = {},
  ): Promise<FollowResult> {
    let current = new URL(url);
    let request = init;
    for (let hops = 0; ; hops++) {
      const response = await this.fetch(current, request);
      const location = response.headers.get('Location');
      if (!redirectStatuses.has(response.status) || location === null) {
        return { stopped: false, response, url: current };
      }
      await response.body?.cancel();
      if (hops === maxHops) {
        throw new Error(`BrowserSession.follow: more than ${maxHops} redirects, the last one from ${current.href}`);
      }

      const next = new URL(location, current);
      if (until?.(next)) return { stopped: true, url: next };
      if (response.status !== 307 && response.status !== 308) request = undefined;
      current = next;
    }
  }
}
