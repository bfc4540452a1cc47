/**
 * How the gateway fails in front of a person in a browser: a plain page that says what happened
 * and what to do next, never a stack trace or an internal detail.
 */
import { escapeHtml, layout, pageHeaders } from './html.ts';

/**
 * A plain error page for a person in a browser: what happened and what to do next,
 * never a stack trace.
 *
 * @example
 * ```ts
 * return errorPage(400, 'This sign-in link has expired', 'Start again from your MCP client.');
 * ```
 */
export function errorPage(status: number, title: string, advice: string): Response {
  const body = `<h1>${escapeHtml(title)}</h1>\n<p>${escapeHtml(advice)}</p>`;
  return new Response(layout(title, body), { status, headers: pageHeaders() });
}
