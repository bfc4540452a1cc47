/**
 * Where a sign-in is decided in the local stack: the login step of an authorization request, which
 * applies the Access policies as the stack would deploy them for the rehearsed identity provider
 * before any code goes back to the Worker.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type Provider from 'oidc-provider';
import { errors, type Interaction, type InteractionResults } from 'oidc-provider';
import { decideAtAccess } from '../../policies/engine/decide-at-access.ts';
import type { AccessSelectorPolicy } from '../../policies/engine/provider-rules.ts';
import { IDENTITY_PROVIDER_KINDS } from '../../policies/model/identity-provider.ts';
import { renderAccessDeniedPage } from './access-denied-page.ts';
import { renderErrorPage } from './error-page.ts';
import { pageHeaders } from './html.ts';
import { renderLoginPage } from './login-page.ts';
import { accessIdentityOf, ONE_TIME_PIN_PROVIDER_ID, type StandInProfile } from './profiles.ts';
import { accessSubjectFor } from './subject.ts';
import type { DevUser } from './users.ts';

/** The provider being rehearsed, and the Access policies as the stack emits them for it. */
export interface Rehearsal {
  profile: StandInProfile;
  /** The policies with every rule as Access's selector for the profile's provider, in order. */
  emitted: AccessSelectorPolicy[];
  /** `pinned`: only the profile's provider may be used (as `infra/` deploys); `any`: one-time PIN too. */
  acceptedProviders: 'pinned' | 'any';
}

/** What the login page needs: the provider that started the sign-in, who exists, and who may enter. */
export interface LoginRouteContext {
  provider: Provider;
  users: DevUser[];
  /** Read at each sign-in, so a test can switch providers between sign-ins. */
  rehearsal: () => Rehearsal;
  logger: (line: string) => void;
}

/** A login form is one email address; anything much larger is not a login form. */
const MAX_FORM_BYTES = 8 * 1024;

/**
 * `GET|POST /cdn-cgi/access/login/<id>`: the sign-in step of one authorization request.
 * GET shows the login page; POST with form field `email` signs that dev user in (see
 * `signIn`). A login URL without its browser's interaction cookie gets an error page.
 */
export async function handleLoginRequest(
  request: IncomingMessage,
  response: ServerResponse,
  context: LoginRouteContext,
): Promise<void> {
  const interaction = await findInteraction(context.provider, request, response);
  if (!interaction) {
    sendHtml(
      response,
      400,
      renderErrorPage({
        error: 'sign-in expired',
        description: 'This sign-in has expired, was already completed, or was started in another browser.',
      }),
    );
    return;
  }

  const loginUrl = request.url ?? '/';
  if (request.method === 'GET' || request.method === 'HEAD') {
    sendHtml(response, 200, renderLoginPage({ users: context.users, formAction: loginUrl }));
  } else if (request.method === 'POST') {
    const form = await readForm(request);
    if (form)
      await signIn(form.get('email')?.trim() ?? '', form.get('idp') ?? '', {
        request,
        response,
        context,
        interaction,
        loginUrl,
      });
    else response.writeHead(413).end();
  } else {
    response.writeHead(405, { Allow: 'GET, HEAD, POST' }).end();
  }
}

interface LoginSubmission {
  request: IncomingMessage;
  response: ServerResponse;
  context: LoginRouteContext;
  interaction: Interaction;
  loginUrl: string;
}

/**
 * The login form's POST: an unknown email gets the page again with an error (401); a
 * person the Access policies refuse gets Access's 403 page and the sign-in stops
 * there; an allowed person is sent on (303) to the authorization endpoint, which
 * redirects back to the application with a code. Form field `idp=onetimepin` signs in
 * through one-time PIN instead of the rehearsed provider, which only an application that
 * accepts any provider allows.
 */
async function signIn(
  email: string,
  idp: string,
  { request, response, context, interaction, loginUrl }: LoginSubmission,
): Promise<void> {
  const { users, logger, provider } = context;
  const rehearsal = context.rehearsal();
  const user = users.find((candidate) => candidate.email.toLowerCase() === email.toLowerCase());
  if (!user) {
    logger(`sign-in refused for ${JSON.stringify(email)}: not a dev user`);
    sendHtml(
      response,
      401,
      renderLoginPage({
        users,
        formAction: loginUrl,
        email,
        error: `${email || 'An empty email'} is not one of the dev users. Choose one below, or add it to dev/users.json.`,
      }),
    );
    return;
  }

  const accountId = accessSubjectFor(user.email);
  const signedInAs = interaction.session?.accountId;
  if (signedInAs !== undefined && signedInAs !== accountId) {
    // Reached with prompt=login. oidc-provider switches accounts through its logout
    // endpoint and a self-submitting form; the stand-in offers neither, so it says so.
    const current = users.find((candidate) => accessSubjectFor(candidate.email) === signedInAs);
    sendHtml(
      response,
      409,
      renderLoginPage({
        users,
        formAction: loginUrl,
        error: `This browser is already signed in as ${current?.email ?? 'another user'}. Choose that user, or use a fresh browser profile to sign in as someone else.`,
      }),
    );
    return;
  }

  const viaOneTimePin = idp === 'onetimepin';
  const through = viaOneTimePin ? 'one-time PIN' : IDENTITY_PROVIDER_KINDS[rehearsal.profile.provider.type].label;
  if (viaOneTimePin && rehearsal.acceptedProviders === 'pinned') {
    const reason = `This application accepts only sign-ins through ${IDENTITY_PROVIDER_KINDS[rehearsal.profile.provider.type].label}, not one-time PIN.`;
    logger(`sign-in refused for ${user.email} through one-time PIN: ${reason}`);
    sendHtml(response, 403, renderAccessDeniedPage({ email: user.email, reason, loginUrl }));
    return;
  }
  const identity = accessIdentityOf(
    user,
    rehearsal.profile,
    viaOneTimePin ? ONE_TIME_PIN_PROVIDER_ID : rehearsal.profile.provider.id,
  );
  const decision = decideAtAccess(rehearsal.emitted, identity);
  logger(
    `sign-in ${decision.allowed ? 'allowed' : 'refused'} for ${user.email} through ${through} (groups: ${user.groups.join(', ') || 'none'}): ${decision.reason}`,
  );
  if (!decision.allowed) {
    sendHtml(response, 403, renderAccessDeniedPage({ email: user.email, reason: decision.reason, loginUrl }));
    return;
  }

  const result: InteractionResults = { login: { accountId } };
  await provider.interactionFinished(request, response, result, { mergeWithLastSubmission: false });
}

/** The sign-in this browser started (its interaction cookie names it), or undefined if there is none. */
async function findInteraction(
  provider: Provider,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<Interaction | undefined> {
  try {
    return await provider.interactionDetails(request, response);
  } catch (error) {
    if (error instanceof errors.SessionNotFound) return undefined;
    throw error;
  }
}

/** The urlencoded form body, or undefined when it is larger than a login form can be. */
async function readForm(request: IncomingMessage): Promise<URLSearchParams | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_FORM_BYTES) return undefined;
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function sendHtml(response: ServerResponse, status: number, html: string): void {
  response.writeHead(status, pageHeaders).end(html);
}
