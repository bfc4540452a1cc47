/**
 * The identity provider a stack pins: which kind it is decides how a `group:` rule reaches
 * Cloudflare Access, because Access has one group selector per kind of provider and none for
 * some (https://developers.cloudflare.com/cloudflare-one/access-controls/policies/#selectors:
 * "Identity provider group" only for Entra ID, GitHub, Google, Okta or SCIM; "SAML Group" only
 * for generic SAML; "OIDC Claim" only for generic OIDC). The kinds are the `type` values of
 * Cloudflare's identity provider API (`IdentityProviderType` in the `cloudflare` SDK 7.3.0).
 *
 * The stack files (`Pulumi.<stack>.yaml`) hold these settings; `infra/` and `npm run policy --
 * check` read them with {@link parseIdentityProviderSettings}, so both refuse the same rules.
 */

/** The kinds of identity provider a stack may pin (a subset of Cloudflare's `IdentityProviderType`). */
const IDENTITY_PROVIDER_TYPES = [
  'okta',
  'azureAD',
  'google-apps',
  'google',
  'github',
  'saml',
  'oidc',
  'onetimepin',
] as const;

export type IdentityProviderType = (typeof IDENTITY_PROVIDER_TYPES)[number];

/** Which field of an Access group object the Worker matches tool policies against. */
export const GROUP_FIELDS = ['name', 'id', 'email'] as const;
export type GroupField = (typeof GROUP_FIELDS)[number];

/** The identity provider of one stack (or of the local stand-in). */
export interface IdentityProvider {
  type: IdentityProviderType;
  /** The provider's id in Access (a UUID); absent where only the kind matters (`policy check`). */
  id?: string;
  /**
   * Generic OIDC: the claim that carries groups; generic SAML: the attribute that does.
   * Default `groups`.
   */
  groupsClaim: string;
  /**
   * Generic OIDC: the custom claims registered on the provider in Access ("OIDC Claims");
   * generic SAML: its "SAML attributes". Access passes on and matches only these.
   */
  registeredClaims: string[];
}

/** How each kind is named for people, and what a `group:` value means for it. */
export const IDENTITY_PROVIDER_KINDS: Record<IdentityProviderType, { label: string; groupValue: string | undefined }> =
  {
    okta: { label: 'Okta', groupValue: 'the Okta group name' },
    azureAD: { label: 'Microsoft Entra ID', groupValue: 'the Entra group Object Id (a UUID)' },
    'google-apps': { label: 'Google Workspace', groupValue: 'the Google Workspace group email' },
    google: { label: 'Google (personal accounts)', groupValue: undefined },
    github: { label: 'GitHub', groupValue: 'the GitHub organization, or organization/team' },
    saml: { label: 'generic SAML', groupValue: 'a value of the SAML groups attribute' },
    oidc: { label: 'generic OIDC', groupValue: 'a value of the OIDC groups claim' },
    onetimepin: { label: 'one-time PIN', groupValue: undefined },
  };

/**
 * The group field the Worker matches by default for a provider: the value Access's own
 * selector for that provider uses, so one group value means the same in `access.yaml` and
 * `tools.yaml` (Entra ID: Object Id; Google Workspace: group email; the rest: name).
 *
 * @example
 * ```ts
 * defaultGroupField('azureAD'); // 'id'
 * ```
 */
export function defaultGroupField(type: IdentityProviderType): GroupField {
  if (type === 'azureAD') return 'id';
  if (type === 'google-apps') return 'email';
  return 'name';
}

/**
 * The provider the local Access stand-in plays unless a run picks another profile: a generic
 * OIDC provider whose `groups` claim is registered, so the shipped `group:` rules work locally.
 */
export const LOCAL_IDENTITY_PROVIDER: IdentityProvider = {
  type: 'oidc',
  id: '00000000-0000-4000-8000-00000000c1d0',
  groupsClaim: 'groups',
  registeredClaims: ['groups'],
};

/** The stack settings this module reads (keys without the project prefix). */
export const IDENTITY_PROVIDER_KEYS = {
  identityProviderId:
    'the id (a UUID) of the Access identity provider this stack pins (Zero Trust: Settings, Authentication)',
  identityProviderType: `the kind of that provider: ${IDENTITY_PROVIDER_TYPES.join(', ')}`,
  identityProviderGroupsClaim:
    'generic OIDC or SAML only: the claim or attribute that carries group membership (default groups)',
  identityProviderClaims:
    'generic OIDC or SAML only: comma-separated OIDC claims or SAML attributes registered on the provider in Access, e.g. groups,department',
} as const;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const CLAIM_NAME = /^[A-Za-z0-9_.:-]+$/;

/**
 * Reads and checks a stack's identity provider settings. Both the id and the type are
 * required (a stack pins exactly one provider), unless `requireId` is false (`policy check`,
 * which needs only the kind). Adds one sentence per problem to `problems`.
 *
 * @example
 * ```ts
 * const problems: string[] = [];
 * parseIdentityProviderSettings({ identityProviderId: '5f0c8a4e-3d1b-4c6a-9e2f-7b8d9c0a1b2c', identityProviderType: 'okta' }, problems);
 * // { type: 'okta', id: '5f0c…', groupsClaim: 'groups', registeredClaims: [] }
 * ```
 */
export function parseIdentityProviderSettings(
  raw: Readonly<Record<string, string | undefined>>,
  problems: string[],
  options: { requireId?: boolean } = {},
): IdentityProvider | undefined {
  const value = (key: keyof typeof IDENTITY_PROVIDER_KEYS) => raw[key]?.trim() || undefined;
  const before = problems.length;
  const requireId = options.requireId ?? true;
  const id = requireId ? value('identityProviderId') : undefined;
  if (!requireId) {
    // `policy check` needs only the kind; the id may still be a placeholder there.
  } else if (!id) problems.push(missing('identityProviderId'));
  else if (!UUID.test(id))
    problems.push(
      wrong('identityProviderId', id, 'it must be a lowercase UUID (Zero Trust: Settings, Authentication)'),
    );

  const type = value('identityProviderType');
  if (!type) problems.push(missing('identityProviderType'));
  else if (!(IDENTITY_PROVIDER_TYPES as readonly string[]).includes(type)) {
    const near = IDENTITY_PROVIDER_TYPES.find((known) => known.toLowerCase() === type.toLowerCase());
    problems.push(
      wrong(
        'identityProviderType',
        type,
        near ? `the type is spelt ${near}` : `it must be one of ${IDENTITY_PROVIDER_TYPES.join(', ')}`,
      ),
    );
  }

  const groupsClaim = value('identityProviderGroupsClaim') ?? 'groups';
  const claims = (value('identityProviderClaims') ?? '')
    .split(',')
    .map((claim) => claim.trim())
    .filter(Boolean);
  const genericProvider = type === 'oidc' || type === 'saml';
  for (const key of ['identityProviderGroupsClaim', 'identityProviderClaims'] as const) {
    if (value(key) && type && !genericProvider && problems.length === before) {
      problems.push(
        `${key} is set, but it is for generic OIDC or SAML providers only; ${IDENTITY_PROVIDER_KINDS[type as IdentityProviderType]?.label ?? type} has its own group selector. Remove it: pulumi config rm ${key}`,
      );
    }
  }
  for (const claim of [groupsClaim, ...claims]) {
    if (!CLAIM_NAME.test(claim))
      problems.push(`${JSON.stringify(claim)} is not a claim or attribute name (letters, digits, _ . : -)`);
  }
  if (problems.length > before || (requireId && !id) || !type) return undefined;
  return { type: type as IdentityProviderType, ...(id ? { id } : {}), groupsClaim, registeredClaims: claims };
}

function missing(key: keyof typeof IDENTITY_PROVIDER_KEYS): string {
  return `${key} is missing: ${IDENTITY_PROVIDER_KEYS[key]}. Set it: pulumi config set ${key} <value>`;
}

function wrong(key: keyof typeof IDENTITY_PROVIDER_KEYS, got: string, why: string): string {
  return `${key} is ${JSON.stringify(got)}, but ${why}. Set it: pulumi config set ${key} <value>`;
}
