/**
 * The second half of signing a person in: Access sends the browser back here, and only after
 * every check of Access's answer does the MCP client get its code.
 */
import { AuthorizationError, authorizationErrorRedirect } from '@cloudflare/workers-oauth-provider';
import type { UserProps, WorkerConfig } from '../config.ts';
import { errorPage } from '../pages/error-page.ts';
import { authorizationFailure, type UpstreamSignIn } from './authorize.ts';
import { CodeExchangeError, exchangeCodeForIdToken } from './code-exchange.ts';
import { accessKeySet, IdTokenError, verifyIdToken } from './id-token.ts';
import { writeSignInRecord } from './sign-in-record.ts';
import { userIdOf } from './user-id.ts';

/**
 * `GET /callback`: Access sends the browser back here. The steps, in order:
 * recover the MCP client's request by `state` (single use, bound to this browser),
 * honour an error from Access, exchange the code with the PKCE verifier, verify the
 * id_token, and complete the MCP client's authorization with the user's identity.
 */
export async function finishSignIn(request: Request, env: Cloudflare.Env, config: WorkerConfig): Promise<Response> {
  const oauth = env.OAUTH_PROVIDER;
  const params = new URL(request.url).searchParams;

  let resumed;
  try {
    resumed = await oauth.finishUpstream<UpstreamSignIn>(request);
  } catch (error) {
    if (error instanceof AuthorizationError) {
      return errorPage(
        400,
        'This sign-in link has expired or was already used',
        'Start signing in again from your MCP client.',
      );
    }
    throw error;
  }
  const { request: clientRequest, data: signIn, headers } = resumed;

  if (params.has('error')) {
    headers.set('Location', authorizationErrorRedirect(clientRequest, 'access_denied'));
    return new Response(null, { status: 302, headers });
  }
  const code = params.get('code');
  if (!code)
    return errorPage(400, 'Cloudflare Access sent no sign-in code', 'Start signing in again from your MCP client.');

  let user: UserProps;
  try {
    const idToken = await exchangeCodeForIdToken(config.access, {
      code,
      verifier: signIn.verifier,
      redirectUri: config.callbackUrl,
    });
    user = await verifyIdToken(idToken, {
      issuer: config.access.issuer,
      clientId: config.access.clientId,
      nonce: signIn.nonce,
      nonceMode: config.signIn.nonce,
      groupsField: config.signIn.groupsField,
      keys: accessKeySet(config.access.jwksUrl),
    });
  } catch (error) {
    if (error instanceof CodeExchangeError)
      return errorPage(502, 'Sign-in with Cloudflare Access failed', `${error.message}. Try again in a moment.`);
    if (error instanceof IdTokenError) {
      // The reason names claims and shapes, never their values (id-token.ts, groups-claim.ts).
      console.warn(JSON.stringify({ event: 'sign_in.refused', reason: error.reason }));
      return errorPage(
        401,
        'Your sign-in could not be verified',
        `The identity token from Cloudflare Access was refused: ${error.reason}.`,
      );
    }
    throw error;
  }

  try {
    const signedInAt = Date.now();
    // Opaque, and derived from the email, the key an operator knows when offboarding someone: the
    // provider writes it into every code and token it issues (access/user-id.ts).
    const userId = await userIdOf(user.email, config.cookieSecret);
    const { redirectTo } = await oauth.completeAuthorization({
      request: clientRequest,
      userId,
      metadata: { signedInAt: new Date(signedInAt).toISOString() },
      scope: clientRequest.scope,
      props: { ...user, signedInAt },
    });
    writeSignInRecord({
      event: 'sign_in',
      time: new Date(signedInAt).toISOString(),
      userId,
      user: { sub: user.sub, email: user.email, groups: user.groups },
      clientId: clientRequest.clientId,
    });
    headers.set('Location', redirectTo);
    return new Response(null, { status: 302, headers });
  } catch (error) {
    return authorizationFailure(error);
  }
}
