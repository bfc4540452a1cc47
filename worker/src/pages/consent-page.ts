/**
 * The page where a person sees which MCP client asks for access and where its tokens will go,
 * before anything is sent to Access, so a client passing itself off as another can be caught by
 * the person it asks.
 */
import type { ConsentDescription } from '@cloudflare/workers-oauth-provider';
import { escapeHtml, layout } from './html.ts';

/**
 * Renders the consent page: which client asks, where its tokens go, which scopes it
 * will be granted.
 * Every client-supplied value is escaped; only http(s) client links are shown.
 * The form carries nothing but the single-use handle: the request itself stays
 * server-side (see `beginConsent()` in the OAuth provider).
 *
 * @example
 * ```ts
 * const html = renderConsentPage(await oauth.describeConsent(request), consent.handle, ['mcp']);
 * ```
 */
export function renderConsentPage(
  details: ConsentDescription,
  handle: string,
  grantedScopes: readonly string[],
): string {
  const name = escapeHtml(details.clientName || details.clientId);
  const publisher = details.clientDomain
    ? `<p>Published by <strong>${escapeHtml(details.clientDomain)}</strong>.</p>`
    : '<p>This app registered itself; its name is not verified.</p>';
  const homepage = safeHttpUrl(details.clientUri);
  const homepageRow = homepage
    ? `<dt>Website</dt><dd><a href="${escapeHtml(homepage)}" rel="noreferrer noopener">${escapeHtml(homepage)}</a></dd>`
    : '';
  const loopbackWarning = details.redirectIsLoopback
    ? '<p class="warning"><strong>This sends access to an app on your computer.</strong> Continue only if you just started signing in from it.</p>'
    : '';
  const scopes = grantedScopes.map((s) => `<code>${escapeHtml(s)}</code>`).join(' ');

  const body = `<h1>Allow ${name} to use your MCP tools?</h1>
${publisher}
<dl>
  <dt>Client</dt><dd>${name}</dd>
  <dt>Client ID</dt><dd><code>${escapeHtml(details.clientId)}</code></dd>
  <dt>Redirect URI</dt><dd><code>${escapeHtml(details.redirectUri)}</code></dd>
  ${homepageRow}
  <dt>Access</dt><dd>${scopes}</dd>
</dl>
${loopbackWarning}
<p>Next you sign in with your organisation's account through Cloudflare Access. The app gets a token for this MCP server only, never your Access session.</p>
<form method="post">
  <input type="hidden" name="handle" value="${escapeHtml(handle)}">
  <label><input type="checkbox" name="remember" value="yes"> Remember this app on this browser for 30 days</label>
  <div class="actions">
    <button class="primary" type="submit" name="decision" value="approve">Allow and sign in</button>
    <button type="submit" name="decision" value="deny">Deny</button>
  </div>
</form>`;
  return layout(`Allow ${details.clientName || details.clientId}?`, body);
}

function safeHttpUrl(value: string | undefined): string | undefined {
  if (!value) return undefined;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}
