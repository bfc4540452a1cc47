/**
 * Attacks on the consent page (docs/security.md 3): CSRF, framing, injected client strings, and the
 * "remember this app" cookie presented for a client it was not given to.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeAccess, ORIGIN } from './fake-access.ts';
import { authorizeUrl, Browser, consentHandle, pkce, postConsent, REDIRECT_URI, registerClient } from './browser.ts';

beforeEach(async () => {
  await FakeAccess.start(); // answers the Worker's calls to Access for this test
});
afterEach(() => {
  vi.restoreAllMocks();
});

async function openConsent(browser: Browser, clientId: string, extra: Record<string, string> = {}) {
  const { challenge } = await pkce();
  const page = await browser.fetch(authorizeUrl(clientId, challenge, extra));
  return { page, html: page.status === 200 ? await page.text() : '' };
}

function expectNoAccessRedirect(response: Response) {
  expect(response.status).toBe(400);
  expect(response.headers.get('Location')).toBeNull();
}

describe('consent CSRF', () => {
  it("a POST without the browser's binding cookie (cross-site form) is refused", async () => {
    const clientId = await registerClient();
    const { html } = await openConsent(new Browser(), clientId);
    const attackerSite = new Browser(); // the victim's handle, posted from a page without the cookie
    const response = await postConsent(attackerSite, { handle: consentHandle(html), decision: 'approve' });
    expectNoAccessRedirect(response);
    expect(await response.text()).toContain('cannot continue');
  });

  it('a POST with a stale (already used) handle is refused', async () => {
    const clientId = await registerClient();
    const browser = new Browser();
    const { html } = await openConsent(browser, clientId);
    const handle = consentHandle(html);
    const cookies = browser.cookieHeader();
    expect((await postConsent(browser, { handle, decision: 'approve' })).status).toBe(302);
    const replay = await browser.fetch(`${ORIGIN}/authorize`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: cookies },
      body: new URLSearchParams({ handle, decision: 'approve' }),
    });
    expectNoAccessRedirect(replay);
  });

  it('a POST without a handle, or with a forged one, is refused', async () => {
    const clientId = await registerClient();
    const browser = new Browser();
    await openConsent(browser, clientId);
    expectNoAccessRedirect(await postConsent(browser, { decision: 'approve' }));
    expectNoAccessRedirect(await postConsent(browser, { handle: 'forged-handle', decision: 'approve' }));
  });

  it('the form carries only the handle: a posted client_id or redirect_uri is ignored', async () => {
    const clientId = await registerClient();
    const browser = new Browser();
    const { html } = await openConsent(browser, clientId);
    const response = await postConsent(browser, {
      handle: consentHandle(html),
      decision: 'deny',
      redirect_uri: 'https://evil.example/steal',
      client_id: 'another',
    });
    expect(response.status).toBe(302);
    expect(response.headers.get('Location')).toMatch(/^http:\/\/localhost:3333\/callback\?/);
  });
});

describe('consent page content and framing', () => {
  it("refuses to be framed (CSP frame-ancestors 'none' and X-Frame-Options DENY)", async () => {
    const { page } = await openConsent(new Browser(), await registerClient());
    expect(page.headers.get('Content-Security-Policy')).toContain("frame-ancestors 'none'");
    expect(page.headers.get('X-Frame-Options')).toBe('DENY');
    expect(page.headers.get('Cache-Control')).toContain('no-store');
  });

  it('shows the client name, redirect URI and scopes, every client string escaped', async () => {
    const clientId = await registerClient({ client_name: '<img src=x onerror=alert(1)>"Evil' });
    const { html } = await openConsent(new Browser(), clientId);
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('&#60;img src=x onerror=alert(1)&#62;&#34;Evil');
    expect(html).toContain(REDIRECT_URI);
    expect(html).toContain('<code>mcp</code>');
  });

  it('a javascript: client_uri is never rendered as a link', async () => {
    const response = await (await import('./browser.ts')).register({ client_uri: 'javascript:alert(1)' });
    // Refused at registration already, so no consent page can ever show it.
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      error: 'invalid_client_metadata',
      error_description: expect.stringContaining('client_uri'),
    });
  });
});

describe('remembered consent', () => {
  async function approveRemembering(browser: Browser, clientId: string) {
    const { html } = await openConsent(browser, clientId);
    const response = await postConsent(browser, { handle: consentHandle(html), decision: 'approve', remember: 'yes' });
    expect(response.status).toBe(302);
    return response;
  }

  it('the remember cookie is __Host-, Secure, HttpOnly, SameSite=Lax', async () => {
    const response = await approveRemembering(new Browser(), await registerClient());
    const cookie = response.headers.getSetCookie().find((c) => c.startsWith('__Host-oauth-approvals'));
    expect(cookie, 'an approvals cookie is set').toBeTruthy();
    expect(cookie).toMatch(/;\s*Secure/i);
    expect(cookie).toMatch(/;\s*HttpOnly/i);
    expect(cookie).toMatch(/;\s*SameSite=Lax/i);
    expect(cookie).toMatch(/;\s*Path=\//i);
    expect(cookie).not.toMatch(/;\s*Domain=/i);
  });

  it('the same client and redirect URI skip the page next time (straight to Access)', async () => {
    const browser = new Browser();
    const clientId = await registerClient();
    await approveRemembering(browser, clientId);
    const { page } = await openConsent(browser, clientId);
    expect(page.status).toBe(302);
    expect(page.headers.get('Location')).toContain('/cdn-cgi/access/sso/oidc/test-client/authorization');
  });

  it("an attacker-registered client presented with the victim's remember cookie still gets the consent page", async () => {
    const victim = new Browser();
    await approveRemembering(victim, await registerClient({ client_name: "Victim's real client" }));
    const attackerClient = await registerClient({ client_name: "Victim's real client" }); // same name, same redirect URI
    const { page } = await openConsent(victim, attackerClient);
    expect(page.status).toBe(200);
    expect(page.headers.get('Location')).toBeNull();
  });

  it('the same client with another of its redirect URIs gets the consent page', async () => {
    const browser = new Browser();
    const clientId = await registerClient({ redirect_uris: [REDIRECT_URI, 'http://localhost:4444/callback'] });
    await approveRemembering(browser, clientId);
    const { page } = await openConsent(browser, clientId, { redirect_uri: 'http://localhost:4444/callback' });
    expect(page.status).toBe(200);
  });

  it('a forged (unsigned) approvals cookie skips nothing', async () => {
    const browser = new Browser();
    const clientId = await registerClient();
    await approveRemembering(browser, clientId);
    const name = [...browser.cookies.keys()].find((n) => n.startsWith('__Host-oauth-approvals'))!;
    const value = browser.cookies.get(name)!;
    browser.cookies.set(name, value.slice(0, -4) + (value.endsWith('AAAA') ? 'BBBB' : 'AAAA'));
    const { page } = await openConsent(browser, clientId);
    expect(page.status).toBe(200);
  });
});
