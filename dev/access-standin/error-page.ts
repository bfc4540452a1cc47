/**
 * What the stand-in shows when a sign-in request itself is wrong (an unknown client, a redirect
 * URI it does not own, an expired login), so a developer sees the OAuth error instead of a blank
 * answer.
 */
import { escapeHtml, htmlPage } from './html.ts';

/**
 * The stand-in's page for a failed sign-in request (bad client, bad redirect URI,
 * expired login, ...), with the OAuth error code and its description.
 */
export function renderErrorPage(options: { error: string; description?: string }): string {
  const description = options.description ? `<p>${escapeHtml(options.description)}</p>` : '';
  return htmlPage(
    'Sign-in error — secure-mcp local Access',
    `<h1>Sign-in failed</h1>
<p class="error"><code>${escapeHtml(options.error)}</code></p>
${description}
<p class="muted">Start again from the application. This page comes from the local Access stand-in.</p>`,
  );
}
