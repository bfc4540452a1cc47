/**
 * Checks Access's id_token before the Worker believes who someone is: the one place that decides
 * whether an identity from Access is genuine, fresh and meant for this Worker.
 */
import { createRemoteJWKSet, errors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import type { UserProps } from '../config.ts';
import { describeShape, readGroupsClaim, UnreadableGroupsError, type GroupField } from './groups-claim.ts';

/** Access signs id_tokens with RS256; no other algorithm is accepted (no `none`, no HMAC). */
const ACCESS_ID_TOKEN_ALGORITHMS = ['RS256'];
/** Clock skew tolerated on `exp`, `nbf` and `iat`. */
const CLOCK_TOLERANCE_SECONDS = 60;
/** Access issues the id_token at the code exchange, so an older one (or one from the future) is not fresh. */
const MAX_ID_TOKEN_AGE_SECONDS = 10 * 60;

/** Why an id_token was refused, in words fit for an error page and an audit record. */
export class IdTokenError extends Error {
  constructor(readonly reason: string) {
    super(`id_token refused: ${reason}`);
    this.name = 'IdTokenError';
  }
}

const keySets = new Map<string, JWTVerifyGetKey>();

/**
 * The JWKS of an Access application, cached per isolate. jose refetches it when a
 * token names an unknown `kid`, at most once per cooldown, so a forged `kid` cannot
 * make us hammer Access.
 *
 * @example
 * ```ts
 * const keys = accessKeySet('https://team.cloudflareaccess.com/cdn-cgi/access/sso/oidc/abc/jwks');
 * ```
 */
export function accessKeySet(jwksUrl: string): JWTVerifyGetKey {
  let keySet = keySets.get(jwksUrl);
  if (!keySet) {
    keySet = createRemoteJWKSet(new URL(jwksUrl), { cooldownDuration: 30_000, cacheMaxAge: 10 * 60_000 });
    keySets.set(jwksUrl, keySet);
  }
  return keySet;
}

export interface IdTokenExpectations {
  issuer: string;
  clientId: string;
  /** The nonce this sign-in sent to Access; an id_token that carries another is always refused. */
  nonce: string;
  /**
   * `required` (default): an id_token without a nonce is refused; `if-present`: checked only when
   * Access sends one (Cloudflare documents no nonce support; docs/security.md says why either is safe).
   */
  nonceMode?: 'required' | 'if-present';
  /** Which field of a group object to keep (`ACCESS_GROUPS_FIELD`); strings are kept as they are. Default `name`. */
  groupsField?: GroupField;
  keys: JWTVerifyGetKey;
}

/**
 * Verifies an Access id_token completely (signature with a pinned algorithm, `iss`,
 * `aud` and `azp`, `exp`/`nbf`/`iat`, nonce, `email_verified` when present) and returns the user
 * it names, with the groups as `groups-claim.ts` reads them (an unreadable `groups` claim refuses
 * the token).
 *
 * @example
 * ```ts
 * const user = await verifyIdToken(tokens.id_token, { issuer, clientId, nonce, keys: accessKeySet(jwksUrl) });
 * user.email; // 'alice@example.com'
 * ```
 */
export async function verifyIdToken(idToken: string, expected: IdTokenExpectations): Promise<UserProps> {
  let payload;
  try {
    ({ payload } = await jwtVerify(idToken, expected.keys, {
      issuer: expected.issuer,
      audience: expected.clientId,
      algorithms: ACCESS_ID_TOKEN_ALGORITHMS,
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
      maxTokenAge: MAX_ID_TOKEN_AGE_SECONDS,
      requiredClaims: ['sub', 'iat', 'exp'],
    }));
  } catch (error) {
    throw new IdTokenError(describeJoseError(error));
  }
  if (payload.nonce === undefined) {
    if ((expected.nonceMode ?? 'required') === 'required')
      throw new IdTokenError(
        'the token carries no nonce, and this gateway requires the one it sent (if your Access never returns it, see accessNonce in docs/security.md)',
      );
  } else if (payload.nonce !== expected.nonce) throw new IdTokenError('the nonce does not match this sign-in');
  if (typeof payload.sub !== 'string' || payload.sub === '') throw new IdTokenError('the token has no subject');
  // OpenID Connect Core 1.0 §3.1.3.7: an `azp` must be our client id, and a token for several
  // audiences must name us as the party it was issued to.
  const audiences = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
  if (payload.azp !== undefined ? payload.azp !== expected.clientId : audiences.length > 1)
    throw new IdTokenError('the token was issued to another party (azp)');
  if (typeof payload.email !== 'string' || !payload.email.includes('@')) {
    throw new IdTokenError('the token carries no email address');
  }
  // An address the identity provider says it did not verify names nobody. Access does not document
  // the claim, so only a present one that is not `true` refuses (docs/security.md 2).
  if (payload.email_verified !== undefined && payload.email_verified !== true)
    throw new IdTokenError('the email address is not verified');
  let groups: string[];
  try {
    groups = readGroupsClaim(payload.groups, expected.groupsField ?? 'name');
  } catch (error) {
    if (error instanceof UnreadableGroupsError) throw new IdTokenError(error.message);
    throw error;
  }
  const name = typeof payload.name === 'string' && payload.name !== '' ? payload.name : payload.email;
  return { sub: payload.sub, email: payload.email.toLowerCase(), name, groups, claims: claimShapes(payload) };
}

/**
 * Each claim of the id_token by name, with its shape and never its value: what the operator's
 * first-minute check (`npm run smoke -- <url> --show-claims`) prints about their own sign-in.
 *
 * @example
 * ```ts
 * claimShapes({ sub: 'u', groups: [{ id: 'x', name: 'y' }] }); // { groups: 'a list of 1 object with id, name', sub: 'a string' }
 * ```
 */
function claimShapes(payload: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    Object.keys(payload)
      .sort()
      .map((claim) => [claim, describeShape(payload[claim])]),
  );
}

function describeJoseError(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'the token has expired';
  if (error instanceof errors.JWTClaimValidationFailed) return `claim "${error.claim}" is invalid (${error.reason})`;
  if (error instanceof errors.JOSEAlgNotAllowed) return 'the token is signed with an algorithm that is not allowed';
  if (error instanceof errors.JWKSNoMatchingKey) return 'no Access signing key matches the token';
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'the signature does not verify';
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid)
    return 'the Access signing keys could not be loaded';
  if (error instanceof errors.JOSEError) return `the token is malformed (${error.code})`;
  return 'the token could not be verified';
}
