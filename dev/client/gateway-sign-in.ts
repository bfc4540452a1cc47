/**
 * The browser part of a gateway sign-in, played by a script: consent, Access, callback, up to the
 * client's redirect URI, for the tools and tests that need a token without a person at a browser.
 */
import { BrowserSession } from '../browser-session.ts';
import { signInAtAccess } from '../access-standin/sign-in.ts';

/** How a scripted sign-in through the gateway ended. */
export type GatewaySignInResult =
  /** The gateway sent the browser back to the MCP client's redirect URI (with a code, or an OAuth error). */
  | { outcome: 'redirected'; redirect: URL }
  /** The Access stand-in refused the person (Access policy). */
  | { outcome: 'refused'; status: number; html: string }
  /** A page the flow did not expect: the status and page are kept for the error message. */
  | { outcome: 'failed'; step: string; status: number; html: string };

/**
 * Plays a person in a browser, from the gateway's `/authorize` URL to the MCP client's
 * redirect URI: approve the consent page (when the server shows one), sign in at the local
 * Access stand-in as `email`, and let the Worker's `/callback` finish. The redirect URI is
 * never fetched, so nothing needs to listen there.
 *
 * @example
 * ```ts
 * const result = await signInThroughGateway(authorizationUrl, 'alice@example.com');
 * if (result.outcome === 'redirected') code = result.redirect.searchParams.get('code');
 * ```
 */
export async function signInThroughGateway(
  authorizationUrl: string | URL,
  email: string,
  options: { decision?: 'approve' | 'deny'; browser?: BrowserSession } = {},
): Promise<GatewaySignInResult> {
  const browser = options.browser ?? new BrowserSession();
  const consentPage = await browser.fetch(String(authorizationUrl));
  let accessUrl: string;
  if (consentPage.status === 302) {
    const location = new URL(consentPage.headers.get('Location')!, authorizationUrl);
    if (returnsToClient(location, authorizationUrl)) return { outcome: 'redirected', redirect: location };
    // No consent page (a server without one, such as Cloudflare's template): straight to Access.
    accessUrl = location.href;
  } else {
    const consentHtml = await consentPage.text();
    const handle = /name="handle" value="([^"]+)"/.exec(consentHtml)?.[1];
    if (consentPage.status !== 200 || !handle)
      return { outcome: 'failed', step: 'consent page', status: consentPage.status, html: consentHtml };

    const decision = await browser.fetch(new URL('/authorize', authorizationUrl).href, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        handle: decodeHtmlAttribute(handle),
        decision: options.decision ?? 'approve',
      }).toString(),
    });
    const next = decision.headers.get('Location');
    if (decision.status !== 302 || !next)
      return { outcome: 'failed', step: 'consent decision', status: decision.status, html: await decision.text() };
    if (options.decision === 'deny') return { outcome: 'redirected', redirect: new URL(next) };
    accessUrl = next;
  }

  const access = await signInAtAccess(browser, accessUrl, email);
  if (access.outcome === 'refused') return { outcome: 'refused', status: access.status, html: access.html };
  if (access.outcome === 'unknown-user')
    return { outcome: 'failed', step: 'Access login (unknown user)', status: 401, html: access.html };

  const callback = await browser.fetch(access.location);
  const clientRedirect = callback.headers.get('Location');
  if (callback.status !== 302 || !clientRedirect)
    return { outcome: 'failed', step: 'gateway callback', status: callback.status, html: await callback.text() };
  return { outcome: 'redirected', redirect: new URL(clientRedirect) };
}

/** Whether `location` is the MCP client's redirect URI (the `redirect_uri` of the authorization request), with or without a query. */
function returnsToClient(location: URL, authorizationUrl: string | URL): boolean {
  const redirectUri = new URL(authorizationUrl).searchParams.get('redirect_uri');
  return redirectUri !== null && `${location.origin}${location.pathname}` === redirectUri.split('?')[0];
}

function decodeHtmlAttribute(value: string): string {
  return value.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)));
}
