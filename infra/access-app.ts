/**
 * `AccessApp`: who may sign in, and the OIDC application the Worker signs them in through.
 *
 * Declares one reusable `ZeroTrustAccessPolicy` per policy in `policies/access.ts` and an
 * Access for SaaS application (OIDC) whose only redirect URI is the Worker's `/callback`,
 * with those policies attached in list order (precedence 1..n; Access evaluates Allow and
 * Block policies in that order, the first match deciding) and only the stack's identity
 * provider allowed: without `allowed_idps` an application accepts every provider on the
 * account ("Defaults to all IdPs configured in your account", `allowedIdps` in
 * `@pulumi/cloudflare` 6.22.1), so a person could pick one-time PIN and step around a group
 * rule that only the pinned provider can match.
 */
import * as cloudflare from '@pulumi/cloudflare';
import * as pulumi from '@pulumi/pulumi';
import type { AccessPolicy } from '../policies/access.ts';
import { inexpressibleRules } from '../policies/engine/provider-rules.ts';
import type { IdentityProvider } from '../policies/model/identity-provider.ts';
import { inexpressibleMessage, policySlug, toCloudflarePolicyArgs } from './access-rules.ts';
import { durationSeconds } from './guardrails/rules.ts';
import { physicalName } from './naming.ts';

export interface AccessAppArgs {
  accountId: string;
  /** Zero Trust team name: the `<team>` in `<team>.cloudflareaccess.com`. */
  teamName: string;
  /** The Worker's `/callback` URL, the only place Access may send a code to. */
  redirectUri: string;
  /**
   * How long an Access sign-in lasts, e.g. `24h`: set on every policy that does not set its own.
   * An Access for SaaS application has no session duration of its own (SDK 7.3.0
   * `ApplicationCreateParams.SaaSApplication` has none); its policies carry the session.
   */
  sessionDuration: string;
  /** Who may sign in, in precedence order (first = highest). */
  policies: readonly AccessPolicy[];
  /** The one identity provider the application accepts; `group:` rules become its selectors. */
  identityProvider: IdentityProvider & { id: string };
  /**
   * Send people straight to that provider instead of Access's login page (Access's "Instant
   * Auth", which Cloudflare recommends when one provider is allowed). Default true.
   */
  autoRedirectToIdentity?: boolean;
}

/** The OIDC endpoints of an Access for SaaS application. */
export interface AccessOidcEndpoints {
  issuer: string;
  authorizationUrl: string;
  tokenUrl: string;
  jwksUrl: string;
}

/** Scopes the Worker asks Access for: identity, email, display name, and group membership for tool policies. */
const ACCESS_SCOPES = ['openid', 'email', 'profile', 'groups'];
/** PKCE on every sign-in (docs/security.md 2); refresh tokens so a long session need not sign in again. */
const ACCESS_GRANT_TYPES = ['authorization_code_with_pkce', 'refresh_tokens'];

/**
 * The OIDC endpoints of an Access for SaaS app. The provider exposes none of them, but
 * Access publishes them at fixed paths under the issuer. Pure.
 *
 * @example
 * ```ts
 * accessOidcEndpoints('acme', 'abc123').tokenUrl;
 * // 'https://acme.cloudflareaccess.com/cdn-cgi/access/sso/oidc/abc123/token'
 * ```
 */
export function accessOidcEndpoints(teamName: string, clientId: string): AccessOidcEndpoints {
  const issuer = `https://${teamName}.cloudflareaccess.com/cdn-cgi/access/sso/oidc/${clientId}`;
  return {
    issuer,
    authorizationUrl: `${issuer}/authorization`,
    tokenUrl: `${issuer}/token`,
    jwksUrl: `${issuer}/jwks`,
  };
}

/**
 * The session a policy grants: its own when it is shorter than the stack's, else the stack's.
 * The stack's `sessionDuration` is the longest sign-in anyone gets (an Access for SaaS
 * application has no session of its own; its policies carry it). Pure.
 *
 * @example
 * ```ts
 * shorterSession('8h', '12h'); // '8h'
 * shorterSession('24h', '12h'); // '12h'
 * shorterSession(undefined, '12h'); // '12h'
 * ```
 */
export function shorterSession(policySession: string | undefined, stackSession: string): string {
  if (!policySession) return stackSession;
  const own = durationSeconds(policySession);
  const stack = durationSeconds(stackSession);
  return own !== undefined && stack !== undefined && own < stack ? policySession : stackSession;
}

/**
 * The Access policies and the Access for SaaS OIDC application in front of the Worker.
 *
 * @example
 * ```ts
 * const access = new AccessApp('access', {
 *   accountId, teamName: 'acme', sessionDuration: '24h', policies: accessPolicies,
 *   redirectUri: 'https://secure-mcp-dev-gateway.acme.workers.dev/callback',
 *   identityProvider: { type: 'okta', id: idpId, groupsClaim: 'groups', registeredClaims: [] },
 * });
 * export const accessClientId = access.clientId;
 * ```
 */
export class AccessApp extends pulumi.ComponentResource {
  readonly policies: cloudflare.ZeroTrustAccessPolicy[];
  readonly application: cloudflare.ZeroTrustAccessApplication;
  /** The OIDC client id the Worker signs in with. */
  readonly clientId: pulumi.Output<string>;
  /** The OIDC client secret (secret in state; Access returns it only when the app is created). */
  readonly clientSecret: pulumi.Output<string>;
  readonly issuer: pulumi.Output<string>;
  readonly authorizationUrl: pulumi.Output<string>;
  readonly tokenUrl: pulumi.Output<string>;
  readonly jwksUrl: pulumi.Output<string>;

  constructor(name: string, args: AccessAppArgs, opts?: pulumi.ComponentResourceOptions) {
    super('secure-mcp:index:AccessApp', name, {}, opts);

    if (args.policies.length === 0) {
      throw new Error(
        'AccessApp needs at least one Access policy (policies/access.ts); with none, nobody could sign in.',
      );
    }
    const inexpressible = inexpressibleRules(args.policies, args.identityProvider);
    if (inexpressible.length > 0) throw new Error(inexpressibleMessage(inexpressible));
    const slugs = new Map<string, string>();
    this.policies = args.policies.map((policy) => {
      const slug = policySlug(policy.name);
      const clash = slugs.get(slug);
      if (clash !== undefined || !slug) {
        throw new Error(
          `Access policy names must stay distinct as resource names: "${policy.name}" ` +
            (clash === undefined ? 'has no letters or digits.' : `and "${clash}" both become "${slug}".`),
        );
      }
      slugs.set(slug, policy.name);
      return new cloudflare.ZeroTrustAccessPolicy(
        `${name}-policy-${slug}`,
        {
          accountId: args.accountId,
          name: physicalName(`policy-${slug}`),
          ...toCloudflarePolicyArgs(policy, { identityProvider: args.identityProvider }),
          sessionDuration: shorterSession(policy.sessionDuration, args.sessionDuration),
        },
        { parent: this },
      );
    });

    this.application = new cloudflare.ZeroTrustAccessApplication(
      `${name}-app`,
      {
        accountId: args.accountId,
        type: 'saas',
        name: physicalName('access'),
        saasApp: {
          authType: 'oidc',
          redirectUris: [args.redirectUri],
          grantTypes: ACCESS_GRANT_TYPES,
          scopes: ACCESS_SCOPES,
          // The Worker is a confidential client: it always authenticates with its secret.
          allowPkceWithoutClientSecret: false,
        },
        policies: this.policies.map((policy, index) => ({ id: policy.id, precedence: index + 1 })),
        allowedIdps: [args.identityProvider.id],
        autoRedirectToIdentity: args.autoRedirectToIdentity ?? true,
      },
      { parent: this },
    );

    // `saasApp` holds the client secret, so the whole object may arrive as a secret. The client
    // id on its own is public (every sign-in redirect carries it), so it is output in the clear.
    this.clientId = pulumi.unsecret(
      this.application.saasApp.apply((saasApp) => {
        if (!saasApp?.clientId) throw new Error('Access returned no OIDC client id for the SaaS application.');
        return saasApp.clientId;
      }),
    );
    this.clientSecret = pulumi.secret(
      this.application.saasApp.apply((saasApp) => {
        if (!saasApp?.clientSecret) {
          // Access returns the secret only on create; a state without it cannot configure the Worker.
          throw new Error('Access returned no OIDC client secret; replace the application to issue a new one.');
        }
        return saasApp.clientSecret;
      }),
    );
    const endpoints = this.clientId.apply((clientId) => accessOidcEndpoints(args.teamName, clientId));
    this.issuer = endpoints.issuer;
    this.authorizationUrl = endpoints.authorizationUrl;
    this.tokenUrl = endpoints.tokenUrl;
    this.jwksUrl = endpoints.jwksUrl;

    this.registerOutputs({
      clientId: this.clientId,
      clientSecret: this.clientSecret,
      issuer: this.issuer,
      authorizationUrl: this.authorizationUrl,
      tokenUrl: this.tokenUrl,
      jwksUrl: this.jwksUrl,
    });
  }
}
