/**
 * HTML building blocks for the stand-in's pages: escaping, one layout with the
 * "local stand-in" banner, and the headers every page carries.
 */

import { escapeHtml } from '../../worker/src/pages/html.ts';

// One escaping function for every page this project renders; the stand-in keeps its own
// look (it plays Cloudflare Access, not the gateway).
export { escapeHtml };

/** Headers for every page: no scripts, no framing, not cached. */
export const pageHeaders: Readonly<Record<string, string>> = {
  'Content-Type': 'text/html; charset=utf-8',
  // No form-action: Chrome applies it to the redirect after a form POST, and the
  // login form's redirect goes to the relying party on another origin.
  'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'",
  'X-Frame-Options': 'DENY',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
};

const styles = `
  body { font: 16px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; background: #f4f5f7; color: #1d2430; margin: 0; }
  main { max-width: 30rem; margin: 4rem auto; background: #fff; border-radius: 12px; padding: 2rem 2.25rem;
         box-shadow: 0 1px 3px rgba(0,0,0,.08), 0 8px 24px rgba(0,0,0,.06); }
  h1 { font-size: 1.35rem; margin: 0 0 1rem; }
  .banner { font-size: .8rem; color: #8a5a00; background: #fff6e5; border: 1px solid #f3d08a; border-radius: 6px; padding: .25rem .6rem; display: inline-block; margin-bottom: 1rem; }
  .error { background: #fdecec; border: 1px solid #f1b5b5; border-radius: 8px; padding: .75rem 1rem; }
  .users button { display: block; width: 100%; text-align: left; margin: .5rem 0; padding: .6rem .9rem; font: inherit;
                  background: #fff; border: 1px solid #d5d9e0; border-radius: 8px; cursor: pointer; }
  .users button:hover { border-color: #f38020; }
  .muted { color: #5b6473; font-size: .9rem; }
  input[type=email] { font: inherit; width: 100%; box-sizing: border-box; padding: .5rem .7rem; border: 1px solid #d5d9e0; border-radius: 8px; margin: .25rem 0 .75rem; }
  .primary { font: inherit; padding: .5rem 1.2rem; border: 0; border-radius: 8px; background: #f38020; color: #fff; cursor: pointer; }
  code { font: .9em ui-monospace, SFMono-Regular, Menlo, monospace; background: #f0f1f4; padding: .1em .35em; border-radius: 4px; }
`;

/**
 * A complete page. `title` is escaped here; `body` must already be safe HTML.
 *
 * @example
 * ```ts
 * htmlPage('Sign in', `<h1>${escapeHtml(heading)}</h1>`);
 * ```
 */
export function htmlPage(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${styles}</style>
</head>
<body>
<main>
<p class="banner">Cloudflare Access · local stand-in</p>
${body}
</main>
</body>
</html>
`;
}
