/**
 * The identity providers the Access stand-in rehearses. On Cloudflare, a person signs in to
 * Access through the stack's identity provider, and what Access then knows about their groups
 * (and what it writes into the id_token) depends on which provider that is: Okta reports group
 * names, Entra ID group Object Ids, Google Workspace group emails, GitHub organizations and
 * teams, generic SAML and OIDC providers an attribute or claim, one-time PIN nothing. A profile
 * picks one, plus the id_token details Cloudflare does not document (the shape of `groups`,
 * whether the nonce comes back, whether `name` is there), so each can be tried locally.
 *
 * The dev users (`dev/users.json`) name their groups by name; each profile's directory gives
 * every group the id, email and GitHub team the provider would report, derived from the name
 * (stable across runs), and the stand-in reads the `group:` rules of the local policies as
 * names in that directory, writing them as the profile's provider does (as you would write
 * them for your provider on Cloudflare).
 */
import { createHash } from 'node:crypto';
import type { AccessPolicy, AccessRule } from '../../policies/access.ts';
import type { AccessGroup, AccessIdentity } from '../../policies/engine/decide-at-access.ts';
import {
  defaultGroupField,
  LOCAL_IDENTITY_PROVIDER,
  type GroupField,
  type IdentityProvider,
  type IdentityProviderType,
} from '../../policies/model/identity-provider.ts';
import type { DevUser } from './users.ts';

/** The profiles a run may pick (`npm run dev -- --idp <profile>`). */
const PROFILE_NAMES = ['oidc', 'okta', 'entra', 'google', 'github', 'saml', 'otp'] as const;
type ProfileName = (typeof PROFILE_NAMES)[number];

/** How the id_token writes the groups claim. */
type GroupsClaimShape = 'strings' | 'objects';

/** One rehearsed identity provider, and how Access's id_tokens look with it. */
export interface StandInProfile {
  name: ProfileName;
  /** The provider Access signs people in through (the one the stack pins). */
  provider: IdentityProvider & { id: string };
  /** `strings`: the provider's group values; `objects`: Access's group objects (`id`, `name`, `email`). */
  groups: GroupsClaimShape;
  /** Whether the id_token carries back the nonce of the authorization request. */
  echoNonce: boolean;
  /** Whether the id_token carries `name`. */
  sendName: boolean;
}

/** The GitHub organization the dev users' teams belong to. */
const DEV_GITHUB_ORG = 'secure-mcp-dev';

/** The kind of provider each profile plays. */
const PROVIDER_TYPES: Record<ProfileName, IdentityProviderType> = {
  oidc: 'oidc',
  okta: 'okta',
  entra: 'azureAD',
  google: 'google-apps',
  github: 'github',
  saml: 'saml',
  otp: 'onetimepin',
};

/**
 * A profile by name, with the id_token details that differ from the defaults (groups as the
 * provider's strings, the nonce echoed, `name` present).
 *
 * @throws Error naming the profiles when `name` is not one.
 *
 * @example
 * ```ts
 * standInProfile('entra', { groups: 'objects', echoNonce: false }).provider.type; // 'azureAD'
 * ```
 */
export function standInProfile(
  name: string,
  details: Partial<Pick<StandInProfile, 'groups' | 'echoNonce' | 'sendName'>> = {},
): StandInProfile {
  if (!(PROFILE_NAMES as readonly string[]).includes(name))
    throw new Error(`There is no Access stand-in profile "${name}"; pick one of ${PROFILE_NAMES.join(', ')}.`);
  const profile = name as ProfileName;
  const type = PROVIDER_TYPES[profile];
  const generic = type === 'oidc' || type === 'saml';
  return {
    name: profile,
    provider: {
      type,
      id: profile === 'oidc' ? LOCAL_IDENTITY_PROVIDER.id! : stableUuid(`identity provider ${profile}`),
      groupsClaim: 'groups',
      registeredClaims: generic ? ['groups'] : [],
    },
    groups: details.groups ?? 'strings',
    echoNonce: details.echoNonce ?? true,
    sendName: details.sendName ?? true,
  };
}

/** The profile the stand-in plays unless told otherwise: a generic OIDC provider with a registered `groups` claim. */
export const DEFAULT_PROFILE: StandInProfile = standInProfile('oidc');

/** The one-time PIN provider every Access account has, for rehearsing an application that does not pin its provider. */
export const ONE_TIME_PIN_PROVIDER_ID = stableUuid('identity provider one-time PIN');

/**
 * One dev group as the profile's provider knows it: its Object Id, name and email (Access's
 * group fields), and the value a `group:` rule or a groups string carries for this provider.
 *
 * @example
 * ```ts
 * directoryGroup('contractors', standInProfile('google')).value; // 'contractors@example.com'
 * ```
 */
export function directoryGroup(
  groupName: string,
  profile: StandInProfile,
): AccessGroup & { value: string | undefined } {
  const group = { id: stableUuid(`group ${groupName}`), name: groupName, email: `${groupName}@example.com` };
  const type = profile.provider.type;
  if (type === 'github')
    return { ...group, name: `${DEV_GITHUB_ORG}/${groupName}`, value: `${DEV_GITHUB_ORG}/${groupName}` };
  if (type === 'onetimepin' || type === 'google') return { ...group, value: undefined };
  return { ...group, value: type === 'azureAD' ? group.id : type === 'google-apps' ? group.email : groupName };
}

/**
 * The local policies with each `group:` value that names a dev group written as the profile's
 * provider writes it. A value the directory does not know is left as it is.
 *
 * @example
 * ```ts
 * rehearsalPolicies(accessPolicies, standInProfile('entra'))[0]?.include; // [{ group: '<Object Id of contractors>' }]
 * ```
 */
export function rehearsalPolicies(
  policies: readonly AccessPolicy[],
  profile: StandInProfile,
  users: readonly DevUser[],
): AccessPolicy[] {
  const known = new Set(users.flatMap((user) => user.groups));
  const rewrite = (rule: AccessRule): AccessRule =>
    'group' in rule && known.has(rule.group)
      ? { group: directoryGroup(rule.group, profile).value ?? rule.group }
      : rule;
  return policies.map((policy) => ({
    ...policy,
    include: policy.include.map(rewrite),
    ...(policy.require ? { require: policy.require.map(rewrite) } : {}),
    ...(policy.exclude ? { exclude: policy.exclude.map(rewrite) } : {}),
  }));
}

/**
 * What Access knows about a dev user who signed in through `identityProviderId` (the profile's
 * provider, or one-time PIN, which reports no groups).
 *
 * @example
 * ```ts
 * accessIdentityOf(mallory, standInProfile('okta'), profile.provider.id).groups; // [{ name: 'contractors', … }]
 * ```
 */
export function accessIdentityOf(user: DevUser, profile: StandInProfile, identityProviderId: string): AccessIdentity {
  if (identityProviderId !== profile.provider.id)
    return { email: user.email, identityProviderId, groups: [], claims: {} };
  const type = profile.provider.type;
  const groups = user.groups.map((name) => directoryGroup(name, profile));
  const generic = type === 'oidc' || type === 'saml';
  return {
    email: user.email,
    identityProviderId,
    groups:
      type === 'onetimepin' || type === 'google' || generic
        ? []
        : [
            ...(type === 'github' && groups.length > 0 ? [{ name: DEV_GITHUB_ORG }] : []),
            ...groups.map(({ id, name, email }) => ({ id, name, email })),
          ],
    claims: generic ? { [profile.provider.groupsClaim]: user.groups } : {},
  };
}

/**
 * The `groups` claim the profile's id_token carries for a user, or `undefined` to leave it out
 * (one-time PIN and personal Google accounts have no groups).
 *
 * @example
 * ```ts
 * groupsClaimOf(bob, standInProfile('entra', { groups: 'objects' })); // [{ id: '…', name: 'support', email: 'support@example.com' }]
 * ```
 */
export function groupsClaimOf(user: DevUser, profile: StandInProfile): unknown[] | undefined {
  const type = profile.provider.type;
  if (type === 'onetimepin' || type === 'google') return undefined;
  const groups = user.groups.map((name) => directoryGroup(name, profile));
  if (profile.groups === 'objects') return groups.map(({ id, name, email }) => ({ id, name, email }));
  return [
    ...(type === 'github' && groups.length > 0 ? [DEV_GITHUB_ORG] : []),
    ...groups.map((group) => group.value ?? group.name!),
  ];
}

/**
 * The user's groups as the profile's provider writes them (what `group:` rules in its policies
 * name): the engine's view of who this person is at sign-in.
 *
 * @example
 * ```ts
 * providerGroupsOf(mallory, standInProfile('google')); // ['contractors@example.com']
 * ```
 */
export function providerGroupsOf(user: DevUser, profile: StandInProfile): string[] {
  return (groupsClaimOf(user, { ...profile, groups: 'strings' }) ?? []) as string[];
}

/**
 * The group values the Worker reads from that claim with `field` (`ACCESS_GROUPS_FIELD`): what
 * its tool policies match for this user under this profile.
 *
 * @example
 * ```ts
 * workerGroupsOf(bob, standInProfile('entra', { groups: 'objects' }), 'name'); // ['support']
 * ```
 */
export function workerGroupsOf(user: DevUser, profile: StandInProfile, field: GroupField): string[] {
  const claim = groupsClaimOf(user, profile) ?? [];
  return claim.map((group) => (typeof group === 'string' ? group : String((group as Record<string, unknown>)[field])));
}

/** The group field a stack with this profile's provider matches by default (as `infra/` sets it). */
export function defaultGroupFieldOf(profile: StandInProfile): GroupField {
  return defaultGroupField(profile.provider.type);
}

/** A UUID (RFC 9562 version 8, from SHA-256) that is the same for the same label on every run. */
function stableUuid(label: string): string {
  const bytes = createHash('sha256').update(`secure-mcp stand-in ${label}`).digest().subarray(0, 16);
  bytes.writeUInt8((bytes.readUInt8(6) & 0x0f) | 0x80, 6);
  bytes.writeUInt8((bytes.readUInt8(8) & 0x3f) | 0x80, 8);
  const hex = bytes.toString('hex');
  return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join('-');
}
