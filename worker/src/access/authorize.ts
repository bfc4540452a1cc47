/**
 * The first half of signing a person in: the consent page for an MCP client's `/authorize`
 * request, and, once the person approves, the redirect to Access with the state the callback needs
 * kept server-side.
 */
import {
  AuthorizationError,
  CimdFetchError,
  type AuthRequest,
  type OAuthHelpers,
} from '@cloudflare/workers-oauth-provider';
import type { WorkerConfig } from '../config.ts';
import { renderConsentPage } from '../pages/consent-page.ts';
import { errorPage } from '../pages/error-page.ts';
import { pageHeaders } from '../pages/html.ts';
import { GRANTED_SCOPES } from '../scopes.ts';
import { createCodeVerifier, createNonce, s256Challenge } from './pkce.ts';

/** What the Worker keeps server-side (encrypted, single use) between `/authorize` and `/callback`. */
export interface UpstreamSignIn {
  verifier: string;
  nonce: string;
}

/** Scopes the Worker asks Access for: identity and group membership. */
const ACCESS_SCOPES = 'openid email profile groups';
/** How long "remember this app" skips the consent page for the exact client and redirect URI. */
const REMEMBER_CONSENT_SECONDS = 30 * 24 * 60 * 60;

/**
 * `GET /authorize`: validate the MCP client's request, then show the consent page.
 * Nothing reaches Access before the person approves.
 */
export async function showConsent(request: Request, env: Cloudflare.Env, config: WorkerConfig): Promise<Response> {
  const oauth = env.OAUTH_PROVIDER;
  try {
    const authRequest = await oauth.parseAuthRequest(request);
    // The approvals cookie is signed and names the exact client id, redirect URI and resource:
    // another client (say, one an attacker just registered) is never covered by it.
    if (await oauth.isConsentRemembered(request, authRequest, { secret: config.cookieSecret })) {
      return redirectToAccess(oauth, authRequest, config, new Headers());
    }
    const details = await oauth.describeConsent(authRequest); // before beginConsent: a failed lookup stores nothing
    const consent = await oauth.beginConsent(authRequest);
    return new Response(renderConsentPage(details, consent.handle, GRANTED_SCOPES), {
      headers: pageHeaders(consent.headers),
    });
  } catch (error) {
    return authorizationFailure(error);
  }
}

/**
 * `POST /authorize`: the person's decision. Deny goes back to the client with
 * `access_denied`; approve starts the Access sign-in with PKCE, a nonce and a state
 * that the OAuth provider stores server-side and binds to this browser.
 */
export async function decideConsent(request: Request, env: Cloudflare.Env, config: WorkerConfig): Promise<Response> {
  const oauth = env.OAUTH_PROVIDER;
  const form = await readForm(request);
  if (!form) return errorPage(400, 'This form could not be read', 'Start signing in again from your MCP client.');
  const handleField = form.get('handle');
  const handle = typeof handleField === 'string' ? handleField : '';
  try {
    if (form.get('decision') !== 'approve') {
      const denied = await oauth.denyConsent(request, handle);
      return new Response(null, { status: 302, headers: denied.headers });
    }
    const remember =
      form.get('remember') === 'yes'
        ? { secret: config.cookieSecret, maxAgeSeconds: REMEMBER_CONSENT_SECONDS }
        : undefined;
    const approved = await oauth.approveConsent(request, handle, { scope: [...GRANTED_SCOPES], remember });
    return await redirectToAccess(oauth, approved.request, config, approved.headers);
  } catch (error) {
    return authorizationFailure(error);
  }
}

/** Starts the Access sign-in for an approved request: fresh PKCE verifier and nonce, state stored server-side. */
async function redirectToAccess(
  oauth: OAuthHelpers,
  approved: AuthRequest,
  config: WorkerConfig,
  headers: Headers,
): Promise<Response> {
  const signIn: UpstreamSignIn = { verifier: createCodeVerifier(), nonce: createNonce() };
  const upstream = await oauth.beginUpstream(approved, { data: signIn, headers });
  upstream.headers.set('Location', await accessAuthorizationUrl(config, upstream.state, signIn));
  return new Response(null, { status: 302, headers: upstream.headers });
}

/**
 * Access's authorization URL for one sign-in: the Worker's callback, PKCE S256, the nonce and `state`.
 *
 * @example
 * ```ts
 * const location = await accessAuthorizationUrl(config, state, { verifier, nonce });
 * ```
 */
export async function accessAuthorizationUrl(
  config: WorkerConfig,
  state: string,
  signIn: UpstreamSignIn,
): Promise<string> {
  const url = new URL(config.access.authorizationUrl);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: config.access.clientId,
    redirect_uri: config.callbackUrl,
    scope: ACCESS_SCOPES,
    state,
    nonce: signIn.nonce,
    code_challenge: await s256Challenge(signIn.verifier),
    code_challenge_method: 'S256',
  }).toString();
  return url.href;
}

async function readForm(request: Request): Promise<FormData | undefined> {
  const type = request.headers.get('Content-Type') ?? '';
  if (!type.startsWith('application/x-www-form-urlencoded') && !type.startsWith('multipart/form-data'))
    return undefined;
  try {
    return await request.formData();
  } catch {
    return undefined;
  }
}

/**
 * Errors the library has validated a redirect for go back to the client; every other
 * validation failure is shown here, since the client or its redirect URI is not trusted.
 */
export function authorizationFailure(error: unknown): Response {
  if (error instanceof AuthorizationError) {
    if (error.redirectTo) return Response.redirect(error.redirectTo, 302);
    return errorPage(
      400,
      'This sign-in request cannot continue',
      `${error.description} Start again from your MCP client.`,
    );
  }
  if (error instanceof CimdFetchError) {
    return errorPage(
      400,
      'This app could not be verified',
      'Its metadata document could not be fetched or is invalid.',
    );
  }
  throw error;
}
