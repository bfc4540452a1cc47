/**
 * HTML building blocks shared by the Worker's pages: escaping, one layout, and the
 * headers every page carries (no framing, no caching, no scripts).
 */

/**
 * Escapes a string for HTML text and attribute values.
 *
 * @example
 * ```ts
 * escapeHtml('<b>"x"</b>'); // '&#60;b&#62;&#34;x&#34;&#60;/b&#62;'
 * ```
 */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/** Headers for every HTML page: no inline script, no framing, not cached. */
export function pageHeaders(headers: Headers = new Headers()): Headers {
  headers.set('Content-Type', 'text/html; charset=utf-8');
  headers.set(
    'Content-Security-Policy',
    "default-src 'none'; style-src 'unsafe-inline'; img-src https: data:; form-action 'self' http: https:; frame-ancestors 'none'; base-uri 'none'",
  );
  headers.set('X-Frame-Options', 'DENY');
  headers.set('X-Content-Type-Options', 'nosniff');
  headers.set('Referrer-Policy', 'no-referrer');
  headers.set('Cache-Control', 'no-store');
  return headers;
}

const styles = `
  body { font: 16px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; background: #f4f5f7; color: #1d2430; margin: 0; }
  main { max-width: 34rem; margin: 4rem auto; background: #fff; border-radius: 12px; padding: 2rem 2.25rem;
         box-shadow: 0 1px 3px rgba(0,0,0,.08), 0 8px 24px rgba(0,0,0,.06); }
  h1 { font-size: 1.35rem; margin: 0 0 1rem; }
  dl { display: grid; grid-template-columns: max-content 1fr; gap: .4rem 1rem; margin: 1.25rem 0; }
  dt { color: #5b6473; } dd { margin: 0; word-break: break-all; } dd.prose { word-break: normal; overflow-wrap: anywhere; }
  code { font: 0.9em ui-monospace, SFMono-Regular, Menlo, monospace; background: #f0f1f4; padding: .1em .35em; border-radius: 4px; }
  .warning { background: #fff6e5; border: 1px solid #f3d08a; border-radius: 8px; padding: .75rem 1rem; }
  .actions { display: flex; gap: .75rem; margin-top: 1.5rem; }
  button { font: inherit; padding: .6rem 1.4rem; border-radius: 8px; border: 1px solid #c6cbd3; background: #fff; cursor: pointer; }
  button.primary { background: #f38020; border-color: #f38020; color: #fff; font-weight: 600; }
  footer { color: #5b6473; font-size: .85rem; margin-top: 1.5rem; }
  pre { font: .85rem/1.45 ui-monospace, SFMono-Regular, Menlo, monospace; background: #f0f1f4; border-radius: 8px;
        padding: .75rem 1rem; margin: 0; white-space: pre-wrap; word-break: break-word; max-height: 22rem; overflow: auto; }
  .status { display: inline-block; border-radius: 999px; padding: .15rem .75rem; font-size: .85rem; font-weight: 600; }
  .status.pending { background: #fff6e5; color: #8a5a00; } .status.approved { background: #e6f6ec; color: #1a6b36; }
  .status.refused { background: #fdecec; color: #9b1c1c; }
  ul.approvals { list-style: none; padding: 0; } ul.approvals li { border-top: 1px solid #e3e6eb; padding: .75rem 0; }
`;

/** Wraps a page body in the shared layout. `title` is escaped here; `body` must already be safe HTML. */
export function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${styles}</style>
</head>
<body><main>
${body}
<footer>secure-mcp · signed in through Cloudflare Access</footer>
</main></body>
</html>`;
}
