/**
 * The stand-in's sign-in screen, in place of the identity provider a real Access sends people to:
 * a developer picks a dev user or types any email, and a script can post the same form.
 */
import type { DevUser } from './users.ts';
import { escapeHtml, htmlPage } from './html.ts';

/** Title of the login page, after Access's own sign-in page. */
const LOGIN_PAGE_TITLE = 'Sign in — secure-mcp local Access';

/**
 * The stand-in's login page: one button per dev user and a field for any email.
 * Both forms POST `email` to `formAction`, which is also the documented
 * non-interactive login for scripts.
 */
export function renderLoginPage(options: {
  users: DevUser[];
  formAction: string;
  error?: string;
  email?: string;
}): string {
  const action = escapeHtml(options.formAction);
  const error = options.error ? `<p class="error" role="alert">${escapeHtml(options.error)}</p>` : '';
  const userButtons = options.users
    .map((user) => {
      const groups = user.groups.length > 0 ? user.groups.join(', ') : 'no groups';
      return `<button type="submit" name="email" value="${escapeHtml(user.email)}"><strong>${escapeHtml(user.name)}</strong><br><span class="muted">${escapeHtml(user.email)} · ${escapeHtml(groups)}</span></button>`;
    })
    .join('\n');

  return htmlPage(
    LOGIN_PAGE_TITLE,
    `<h1>${escapeHtml(LOGIN_PAGE_TITLE)}</h1>
<p class="muted">Choose a dev user from <code>dev/users.json</code>. The Access policies in <code>policies/access.yaml</code> decide who gets in, as Cloudflare Access does.</p>
${error}
<form class="users" method="post" action="${action}">
${userButtons}
</form>
<form method="post" action="${action}">
<label for="email">Or sign in with an email</label>
<input id="email" name="email" type="email" required autocomplete="off" value="${escapeHtml(options.email ?? '')}">
<button class="primary" type="submit">Sign in</button>
</form>`,
  );
}
