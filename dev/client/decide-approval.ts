/**
 * Plays an approver in a browser, without one: opens an approval page of the gateway, signs in at
 * the local Access stand-in as `email` when the page asks for it, and presses Approve or Deny (or
 * only reads the page). For tests and scripts against the local stack; a person uses a browser.
 */
import { BrowserSession } from '../browser-session.ts';
import { signInAtAccess } from '../access-standin/sign-in.ts';

/** What the page answered: its HTTP status and HTML after the decision (or after opening it). */
export interface ApprovalPageResult {
  status: number;
  html: string;
}

/**
 * Opens `pageUrl` as `email` and, unless `decision` is `read`, posts that decision with the page's
 * own form token. `browser` keeps the approver's session across calls.
 *
 * @example
 * ```ts
 * const page = await decideApproval(pageUrl, 'carol@example.com', 'approve');
 * page.html; // '…Approved</span> by carol@example.com…'
 * ```
 */
export async function decideApproval(
  pageUrl: string,
  email: string,
  decision: 'approve' | 'deny' | 'read',
  browser = new BrowserSession(),
): Promise<ApprovalPageResult> {
  let page = await browser.fetch(pageUrl);
  if (page.status === 302) {
    const signedIn = await signInAtAccess(browser, page.headers.get('Location')!, email);
    if (signedIn.outcome !== 'redirected') throw new Error(`Access did not sign in ${email}: ${signedIn.outcome}`);
    const callback = await browser.fetch(signedIn.location);
    if (callback.status !== 303)
      throw new Error(`the gateway's callback answered ${callback.status}: ${await callback.text()}`);
    page = await browser.fetch(new URL(callback.headers.get('Location')!, pageUrl));
  }
  const html = await page.text();
  if (decision === 'read') return { status: page.status, html };
  const token = /name="token" value="([^"]+)"/.exec(html)?.[1];
  if (!token) return { status: page.status, html };
  const posted = await browser.fetch(pageUrl, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      decision,
      token: token.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code))),
    }).toString(),
  });
  if (posted.status !== 303) return { status: posted.status, html: await posted.text() };
  const after = await browser.fetch(new URL(posted.headers.get('Location')!, pageUrl));
  return { status: after.status, html: await after.text() };
}
