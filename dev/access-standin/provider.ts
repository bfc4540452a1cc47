/**
 * The OIDC half of the Access stand-in: an oidc-provider set up to answer as one Access for SaaS
 * application does, so the Worker signs people in locally through the same protocol it uses in
 * production.
 */
import { type Account, type Configuration, type JWKS, type KoaContextWithOIDC, Provider } from 'oidc-provider';
import { renderErrorPage } from './error-page.ts';
import { pageHeaders } from './html.ts';
import { createMemoryAdapterFactory } from './memory-adapter.ts';
import { ACCESS_PATH_PREFIX, loginPathFor } from './paths.ts';
import { groupsClaimOf, type StandInProfile } from './profiles.ts';
import { accessSubjectFor } from './subject.ts';
import type { DevUser } from './users.ts';

/** The scopes an Access for SaaS OIDC application offers. */
const ACCESS_SCOPES = ['openid', 'email', 'profile', 'groups'] as const;

/** What the OIDC provider needs to know; the HTTP server and the login page live elsewhere. */
export interface AccessProviderOptions {
  issuer: string;
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
  users: DevUser[];
  /** The rehearsed provider, read when a token is issued: it shapes `groups` and whether `name` is there. */
  profile: () => StandInProfile;
  signingKeys: JWKS;
  logger: (line: string) => void;
}

/**
 * An oidc-provider configured to behave like one Access for SaaS OIDC application:
 * one confidential client (the Worker), authorization code with PKCE S256 required,
 * refresh tokens, scopes `openid email profile groups`, id_tokens carrying `email`,
 * `name` and `groups` as the rehearsed provider's profile writes them, no consent screen, and a login page of our own at
 * `/cdn-cgi/access/login/<id>` (see `login-route.ts`). Every default that oidc-provider
 * would warn about is set, so it starts quietly.
 */
export function createAccessProvider(options: AccessProviderOptions): Provider {
  const usersBySubject = new Map(options.users.map((user) => [accessSubjectFor(user.email), user]));

  const configuration: Configuration = {
    adapter: createMemoryAdapterFactory(),
    jwks: options.signingKeys,
    clients: [
      {
        client_id: options.clientId,
        client_secret: options.clientSecret,
        redirect_uris: options.redirectUris,
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        // The registered method; oidc-provider accepts client_secret_basic from the same client too.
        token_endpoint_auth_method: 'client_secret_post',
        id_token_signed_response_alg: 'RS256',
        scope: ACCESS_SCOPES.join(' '),
      },
    ],
    clientAuthMethods: ['client_secret_post', 'client_secret_basic'],
    responseTypes: ['code'],
    pkce: { required: () => true },
    allowOmittingSingleRegisteredRedirectUri: false,
    scopes: [...ACCESS_SCOPES],
    claims: { openid: ['sub'], email: ['email'], profile: ['name'], groups: ['groups'] },
    // Access puts email, name and groups in the id_token itself, not only at /userinfo.
    conformIdTokenClaims: false,
    // Access issues refresh tokens to an app allowed the grant, without offline_access.
    issueRefreshToken: (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    routes: { authorization: '/authorization', token: '/token', jwks: '/jwks', userinfo: '/userinfo' },
    features: {
      devInteractions: { enabled: false },
      // Endpoints and mechanisms Access for SaaS does not offer.
      rpInitiatedLogout: { enabled: false },
      pushedAuthorizationRequests: { enabled: false },
      resourceIndicators: { enabled: false },
      dPoP: { enabled: false },
    },
    interactions: { url: (_ctx, interaction) => loginPathFor(interaction.uid) },
    findAccount: (_ctx, sub) => {
      const user = usersBySubject.get(sub);
      return user ? accountFor(sub, user, options.profile) : undefined;
    },
    loadExistingGrant: grantRequestedScopes,
    ttl: {
      // Short-lived tokens, as Access issues them (5 minutes is its access token default).
      AccessToken: 5 * 60,
      IdToken: 5 * 60,
      // A sign-in lasts a day, Access's default session duration; refresh tokens no longer.
      Session: 24 * 60 * 60,
      Grant: 24 * 60 * 60,
      RefreshToken: 24 * 60 * 60,
      Interaction: 10 * 60,
    },
    cookies: {
      // Cookies are per host, not per port, and the Worker shares localhost with the
      // stand-in: distinct names, and the session cookie kept to Access's paths (the
      // interaction cookies already are), as if Access had its own domain.
      names: { session: 'standin_session', interaction: 'standin_interaction', resume: 'standin_resume' },
      long: { httpOnly: true, sameSite: 'lax', path: ACCESS_PATH_PREFIX },
    },
    // Only the Worker calls the token and userinfo endpoints, server to server.
    clientBasedCORS: () => false,
    renderError: (ctx, out) => {
      ctx.set(pageHeaders);
      ctx.body = renderErrorPage({ error: out.error, description: out.error_description });
    },
  };

  const provider = new Provider(options.issuer, configuration);
  provider.on('server_error', (_ctx: KoaContextWithOIDC, error: Error) => {
    options.logger(`internal error: ${error.stack ?? error.message}`);
  });
  return provider;
}

function accountFor(sub: string, user: DevUser, profile: () => StandInProfile): Account {
  return {
    accountId: sub,
    // oidc-provider keeps only the claims of the granted scopes.
    claims: () => {
      const current = profile();
      const groups = groupsClaimOf(user, current);
      return {
        sub,
        email: user.email,
        ...(current.sendName ? { name: user.name } : {}),
        ...(groups === undefined ? {} : { groups }),
      };
    },
  };
}

/**
 * Access has no consent screen: once the person is signed in, the application gets the
 * OpenID scopes it asked for (the client's allowed scopes were checked before this
 * runs). Replaces oidc-provider's consent prompt with an automatic grant.
 */
async function grantRequestedScopes(ctx: KoaContextWithOIDC) {
  // oidc-provider calls this at the authorization endpoint once a person is signed in,
  // so the client and the session with its account are present.
  const { client, session, provider, requestParamOIDCScopes } = ctx.oidc as Required<KoaContextWithOIDC['oidc']>;
  const existingGrantId = session.grantIdFor(client.clientId);
  const grant =
    (existingGrantId ? await provider.Grant.find(existingGrantId) : undefined) ??
    new provider.Grant({ clientId: client.clientId, accountId: session.accountId });
  grant.addOIDCScope(requestParamOIDCScopes);
  await grant.save();
  return grant;
}
