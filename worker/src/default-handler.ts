/**
 * The Worker's routes outside `/mcp` and the endpoints the OAuth provider serves itself, in one
 * table, so every browser-facing path of the gateway can be read in one place.
 */
import { decideConsent, showConsent } from './access/authorize.ts';
import { finishSignIn } from './access/callback.ts';
import { revokeUser } from './admin/revoke-user.ts';
import { serveApprovals } from './approvals/approval-routes.ts';
import { finishApproverSignIn, isApproverSignIn } from './approvals/approver-sign-in.ts';
import { approvalGroups } from './mcp/gate/tool-policies.ts';
import { readConfig } from './config.ts';
import { errorPage } from './pages/error-page.ts';
import { escapeHtml, layout, pageHeaders } from './pages/html.ts';

/**
 * Everything outside `/mcp` and the OAuth endpoints the provider serves itself:
 * the consent page, Access's callback (for MCP clients and for approvers), the
 * approval pages, and a landing page.
 */
export const defaultHandler: ExportedHandler<Cloudflare.Env> = {
  async fetch(request, env) {
    const config = readConfig(env);
    const { pathname } = new URL(request.url);
    const method = request.method;

    if (pathname === '/authorize' && method === 'GET') return showConsent(request, env, config);
    if (pathname === '/authorize' && method === 'POST') return decideConsent(request, env, config);
    if (pathname === '/callback' && method === 'GET')
      return isApproverSignIn(request)
        ? finishApproverSignIn(request, env, config, approvalGroups)
        : finishSignIn(request, env, config);
    const approvals = await serveApprovals(request, { env, config, approvalGroups });
    if (approvals) return approvals;
    if (pathname === '/' && method === 'GET') return landingPage(config.resource);
    if (pathname === '/admin/revoke-user') return revokeUser(request, env, config);
    if (pathname === '/authorize' || pathname === '/callback') {
      return new Response('Method Not Allowed', {
        status: 405,
        headers: { Allow: pathname === '/authorize' ? 'GET, POST' : 'GET' },
      });
    }
    return errorPage(404, 'Not found', 'There is nothing here. MCP clients connect to /mcp.');
  },
};

function landingPage(mcpUrl: string): Response {
  const body = `<h1>secure-mcp</h1>
<p>This is an MCP server behind Cloudflare Access. Connect your MCP client to:</p>
<p><code>${escapeHtml(mcpUrl)}</code></p>
<p>Your client will open this site to ask for your consent, then send you to your organisation's sign-in.</p>`;
  return new Response(layout('secure-mcp', body), { headers: pageHeaders() });
}
