/**
 * Starts the local Access stand-in: the HTTP server, the OIDC provider and the login route behind
 * one issuer URL, and the handle the local stack and the tests use to read and switch what it
 * rehearses.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type Provider from 'oidc-provider';
import type { AccessPolicy } from '../../policies/access.ts';
import { InexpressibleRuleError, toSelectorPolicy } from '../../policies/engine/provider-rules.ts';
import { IDENTITY_PROVIDER_KINDS } from '../../policies/model/identity-provider.ts';
import { handleLoginRequest, type LoginRouteContext, type Rehearsal } from './login-route.ts';
import { issuerPathFor, LOGIN_PATH_PREFIX } from './paths.ts';
import { DEFAULT_PROFILE, rehearsalPolicies, type StandInProfile } from './profiles.ts';
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
  /** The Access policies, as written in `policies/access.yaml` (groups by their dev names). */
  policies: AccessPolicy[];
  /** The identity provider to rehearse (`profiles.ts`). Default: generic OIDC with a `groups` claim. */
  profile?: StandInProfile;
  /**
   * `pinned` (default): the application accepts only the profile's provider, as `infra/` deploys
   * it; `any`: it accepts one-time PIN too, as an application without `allowed_idps` does.
   */
  acceptedProviders?: 'pinned' | 'any';
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
  /** The provider being rehearsed. */
  profile(): StandInProfile;
  /**
   * Rehearses another provider, or other policies, from the next sign-in on (tests switch
   * providers this way without restarting the Worker that trusts this issuer).
   *
   * @throws Error when the provider cannot express a rule of the policies, as on Cloudflare.
   */
  rehearse(change: { profile?: StandInProfile; policies?: AccessPolicy[]; acceptedProviders?: 'pinned' | 'any' }): void;
  /** Stops listening and closes open connections. */
  close(): Promise<void>;
}

/**
 * The policies as the stack would emit them for the profile's provider, ready for the login
 * route to decide with.
 *
 * @throws Error when the provider cannot express a rule (a group rule with one-time PIN, …).
 */
function prepareRehearsal(
  policies: readonly AccessPolicy[],
  profile: StandInProfile,
  users: readonly DevUser[],
  acceptedProviders: 'pinned' | 'any',
): Rehearsal {
  try {
    const emitted = rehearsalPolicies(policies, profile, users).map((policy) =>
      toSelectorPolicy(policy, profile.provider),
    );
    return { profile, emitted, acceptedProviders };
  } catch (error) {
    if (!(error instanceof InexpressibleRuleError)) throw error;
    throw new Error(
      `The Access stand-in cannot rehearse ${IDENTITY_PROVIDER_KINDS[profile.provider.type].label} with these policies; on Cloudflare they would be refused too:\n` +
        error.problems.map((problem) => `  - ${problem}`).join('\n'),
      { cause: error },
    );
  }
}

/**
 * Starts the local Access stand-in: a real OIDC provider at Access for SaaS's paths
 * (`/cdn-cgi/access/sso/oidc/<clientId>/…`) with a login page that applies the Access
 * policies to the dev users, as the stack would deploy them for the rehearsed provider.
 *
 * @throws Error when that provider cannot express a rule of the policies (as on Cloudflare).
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
  let policies = options.policies;
  let rehearsal = prepareRehearsal(
    policies,
    options.profile ?? DEFAULT_PROFILE,
    users,
    options.acceptedProviders ?? 'pinned',
  );
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
      profile: () => rehearsal.profile,
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
      login: { provider, users, rehearsal: () => rehearsal, logger },
      echoNonce: () => rehearsal.profile.echoNonce,
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
    profile: () => rehearsal.profile,
    rehearse: (change) => {
      rehearsal = prepareRehearsal(
        change.policies ?? policies,
        change.profile ?? rehearsal.profile,
        users,
        change.acceptedProviders ?? rehearsal.acceptedProviders,
      );
      policies = change.policies ?? policies;
    },
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
  /** Whether id_tokens carry the nonce back; when not, the authorization request's nonce is dropped on arrival. */
  echoNonce: () => boolean;
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
      if (!routes.echoNonce() && path === `${issuerPath}/authorization`) {
        // Rehearses an Access that ignores the nonce: the request reaches the provider without it.
        const url = new URL(request.url ?? '/', 'http://stand-in');
        url.searchParams.delete('nonce');
        request.url = `${url.pathname}${url.search}`;
      }
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
