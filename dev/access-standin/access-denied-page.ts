/**
 * The page a person sees when the Access policies keep them out, as Cloudflare Access shows its
 * own: without it a refused sign-in in the local stack would look like a broken one.
 */
import { escapeHtml, htmlPage } from './html.ts';

/**
 * The 403 page for a person the Access policies refuse, in Access's manner: who was
 * refused and which policy decision refused them. The sign-in ends here; nothing goes
 * back to the application.
 */
export function renderAccessDeniedPage(options: { email: string; reason: string; loginUrl: string }): string {
  return htmlPage(
    'Access denied — secure-mcp local Access',
    `<h1>You don't have access to this application</h1>
<p>Signed in as <strong>${escapeHtml(options.email)}</strong>.</p>
<p class="error">${escapeHtml(options.reason)}</p>
<p class="muted">This is the local Access stand-in. It applies the Access policies in <code>policies/access.yaml</code> to the users in <code>dev/users.json</code>; in production, Cloudflare Access applies the same policies.</p>
<p><a href="${escapeHtml(options.loginUrl)}">Sign in as a different user</a></p>`,
  );
}
