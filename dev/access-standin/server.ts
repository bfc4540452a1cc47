import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type Provider from 'oidc-provider';
import type { AccessPolicy } from '../../policies/access.ts';
import { handleLoginRequest, type LoginRouteContext } from './login-route.ts';
import { issuerPathFor, LOGIN_PATH_PREFIX } from './paths.ts';
import { createAccessProvider } from './provider.ts';
import { generateSigningKeys } from './signing-keys.ts';
import { parseDevUsers, type DevUser } from './users.ts';

/** How to run the stand-in: where it listens, the one application (the Worker), who exists and who may enter. */
export interface AccessStandInOptions {
  /** Port to listen on; 0 picks a free one. */
  port: number;
  /** Interface to listen on. Default `127.0.0.1`. */
  host?: string;
  /** Host name in the issuer and endpoint URLs. Default `localhost`. */
  publicHost?: string;
  /** The Access application's client id (also part of the issuer path). */
  clientId: string;
  clientSecret: string;
  /** Exact redirect URIs the application may use, e.g. the Worker's `/callback`. */
  redirectUris: string[];
  users: DevUser[];
  policies: AccessPolicy[];
  /** Receives one line per sign-in decision (and internal errors). Default: silent. */
  logger?: (line: string) => void;
}

/** A running stand-in: Access's OIDC URLs for the application, and how to stop it. */
export interface RunningAccessStandIn {
  /** `http://localhost:<port>/cdn-cgi/access/sso/oidc/<clientId>` */
  issuer: string;
  authorizationUrl: string;
  tokenUrl: string;
  jwksUrl: string;
  userinfoUrl: string;
  port: number;
  /** Stops listening and closes open connections. */
  close(): Promise<void>;
}

/**
 * Starts the local Access stand-in: a real OIDC provider at Access for SaaS's paths
 * (`/cdn-cgi/access/sso/oidc/<clientId>/…`) with a login page that applies the Access
 * policies to the dev users.
 *
 * @example
 * ```ts
 * const access = await startAccessStandIn({
 *   port: 0, clientId: 'dev-client', clientSecret: 'dev-secret',
 *   redirectUris: ['http://localhost:8788/callback'],
 *   users: await loadDevUsers(), policies: accessPolicies, logger: console.log,
 * });
 * console.log(access.issuer); // http://localhost:<port>/cdn-cgi/access/sso/oidc/dev-client
 * await access.close();
 * ```
 */
export async function startAccessStandIn(options: AccessStandInOptions): Promise<RunningAccessStandIn> {
  const users = parseDevUsers(options.users, 'startAccessStandIn: options.users');
  const logger = options.logger ?? (() => {});
  const signingKeys = await generateSigningKeys();

  // The issuer contains the port, and port 0 is only known once listening: so listen
  // first, then build the provider. Nobody knows the port before this function returns.
  const server = createServer();
  await listen(server, options.port, options.host ?? '127.0.0.1');
  const { port } = server.address() as AddressInfo;
  const issuerPath = issuerPathFor(options.clientId);
  const issuer = `http://${options.publicHost ?? 'localhost'}:${port}${issuerPath}`;

  let provider: Provider;
  try {
    provider = createAccessProvider({
      issuer,
      clientId: options.clientId,
      clientSecret: options.clientSecret,
      redirectUris: options.redirectUris,
      users,
      signingKeys,
      logger,
    });
    // oidc-provider checks a static client's metadata on first use; check it now, so a
    // bad redirect URI fails the start instead of every sign-in.
    await provider.Client.find(options.clientId);
  } catch (error) {
    await closeServer(server);
    const detail = (error as { error_description?: string }).error_description ?? (error as Error).message;
    throw new Error(`startAccessStandIn: invalid client options: ${detail}`, { cause: error });
  }

  // Koa's callback answers its own errors (a 500 through ctx.onerror), so its promise needs no handler here.
  const oidcCallback = provider.callback();
  server.on(
    'request',
    routeRequests({
      issuerPath,
      provider: (request, response) => void oidcCallback(request, response),
      login: { provider, users, policies: options.policies, logger },
      logger,
    }),
  );

  return {
    issuer,
    authorizationUrl: `${issuer}/authorization`,
    tokenUrl: `${issuer}/token`,
    jwksUrl: `${issuer}/jwks`,
    userinfoUrl: `${issuer}/userinfo`,
    port,
    close: () => closeServer(server),
  };
}

/**
 * Sends each request where it belongs: the login pages to the login route, the
 * issuer's paths to oidc-provider (mounted under the issuer path), anything else 404.
 */
function routeRequests(routes: {
  issuerPath: string;
  provider: (request: IncomingMessage, response: ServerResponse) => void;
  login: LoginRouteContext;
  logger: (line: string) => void;
}): (request: IncomingMessage, response: ServerResponse) => void {
  const { issuerPath, logger } = routes;
  return (request, response) => {
    const path = (request.url ?? '/').split('?', 1)[0] ?? '/';
    if (path.startsWith(LOGIN_PATH_PREFIX)) {
      handleLoginRequest(request, response, routes.login).catch((error: unknown) => {
        logger(`internal error at ${path}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
        if (!response.headersSent) response.writeHead(500);
        response.end();
      });
    } else if (path === issuerPath || path.startsWith(`${issuerPath}/`)) {
      // oidc-provider derives its endpoint URLs from originalUrl: keep the full path
      // there and hand it the rest, or the URLs it writes lose the issuer path.
      Object.assign(request, { originalUrl: request.url });
      const rest = (request.url ?? '').slice(issuerPath.length);
      request.url = rest.startsWith('/') ? rest : `/${rest}`;
      routes.provider(request, response);
    } else {
      response.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
      response.end(`Not found. The Access stand-in serves ${issuerPath}/… and its login pages.\n`);
    }
  };
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    // Keep-alive connections (fetch keeps them open) would hold close() up.
    server.closeAllConnections();
  });
}
