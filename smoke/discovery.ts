/**
 * The checks a deployment must pass before anyone signs in: an MCP request without a token
 * gets `401` with `WWW-Authenticate: Bearer resource_metadata=…` (RFC 9728), the resource
 * metadata names this MCP URL and its authorization server, the authorization server's
 * metadata (RFC 8414) offers PKCE S256 and registration, and a made-up token gets `401` too.
 */
import { expectThat, runCheck, type SmokeCheck } from './smoke-check.ts';

/** What discovery found, for the sign-in that follows. */
export interface Discovered {
  resourceMetadataUrl?: string;
  authorizationServer?: string;
}

const INITIALIZE = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'secure-mcp-smoke', version: '1' } },
});

function postMcp(mcpUrl: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(mcpUrl, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream', ...headers },
    body: INITIALIZE,
    redirect: 'manual',
  });
}

async function getJson(url: string): Promise<Record<string, unknown>> {
  const response = await fetch(url, { headers: { Accept: 'application/json' }, redirect: 'manual' });
  expectThat(response.status === 200, `GET ${url} answered ${response.status}, expected 200 with JSON`);
  return (await response.json()) as Record<string, unknown>;
}

/**
 * Runs the discovery checks against an MCP URL.
 *
 * @example
 * ```ts
 * const { checks, discovered } = await checkDiscovery('https://mcp.example.com/mcp');
 * ```
 */
export async function checkDiscovery(mcpUrl: string): Promise<{ checks: SmokeCheck[]; discovered: Discovered }> {
  const discovered: Discovered = {};
  const checks: SmokeCheck[] = [];
  const url = new URL(mcpUrl);
  const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);

  checks.push(
    await runCheck('The MCP URL is https (or loopback)', async () => {
      expectThat(
        url.protocol === 'https:' || loopback,
        `${url.protocol}// on ${url.hostname}: tokens would cross the internet in clear text`,
      );
      return url.origin;
    }),
  );

  checks.push(
    await runCheck('No token: 401 with resource metadata', async () => {
      const response = await postMcp(mcpUrl);
      const challenge = response.headers.get('WWW-Authenticate') ?? '';
      expectThat(
        response.status === 401,
        `POST without a token answered ${response.status}, expected 401 (is ${mcpUrl} the gateway's /mcp?)`,
      );
      expectThat(
        /^Bearer\b/i.test(challenge),
        `WWW-Authenticate is ${JSON.stringify(challenge)}, expected a Bearer challenge`,
      );
      const metadataUrl = /resource_metadata="([^"]+)"/.exec(challenge)?.[1];
      expectThat(metadataUrl, 'the Bearer challenge has no resource_metadata (RFC 9728)');
      discovered.resourceMetadataUrl = metadataUrl;
      return `${response.status}, resource_metadata=${metadataUrl}`;
    }),
  );

  checks.push(
    await runCheck('Resource metadata names this URL and its authorization server', async () => {
      expectThat(discovered.resourceMetadataUrl, 'skipped: no resource_metadata to read');
      const metadata = await getJson(discovered.resourceMetadataUrl);
      expectThat(
        metadata.resource === mcpUrl,
        `resource is ${JSON.stringify(metadata.resource)}, expected ${mcpUrl} (tokens are bound to it)`,
      );
      const servers = metadata.authorization_servers;
      expectThat(Array.isArray(servers) && typeof servers[0] === 'string', 'authorization_servers is missing');
      discovered.authorizationServer = servers[0];
      return `authorization server ${discovered.authorizationServer}`;
    }),
  );

  checks.push(
    await runCheck('Authorization server offers PKCE S256 and registration', async () => {
      expectThat(discovered.authorizationServer, 'skipped: no authorization server to read');
      const issuer = new URL(discovered.authorizationServer);
      const metadata = await getJson(new URL('/.well-known/oauth-authorization-server', issuer).href);
      const methods = metadata.code_challenge_methods_supported;
      expectThat(
        Array.isArray(methods) && methods.includes('S256'),
        `code_challenge_methods_supported is ${JSON.stringify(methods)}, expected S256`,
      );
      expectThat(
        typeof metadata.registration_endpoint === 'string',
        'no registration_endpoint: MCP clients cannot register',
      );
      expectThat(
        typeof metadata.token_endpoint === 'string' && typeof metadata.authorization_endpoint === 'string',
        'authorization or token endpoint missing',
      );
      return `registration at ${metadata.registration_endpoint}`;
    }),
  );

  checks.push(
    await runCheck('A made-up token: 401', async () => {
      const response = await postMcp(mcpUrl, { Authorization: 'Bearer secure-mcp-smoke-not-a-token' });
      expectThat(response.status === 401, `a made-up token answered ${response.status}, expected 401`);
      return '401';
    }),
  );

  return { checks, discovered };
}
