/**
 * The revocation mark (docs/security.md 19): when an operator revokes a user, the Worker writes
 * `revoked-user:<user id>` with the time, before it deletes a single grant. A grant signed in before
 * that time is dead wherever the mark is seen, whatever KV still holds: the token endpoint refuses
 * its refresh (and the provider then deletes it), `/mcp` refuses its tokens, and streams and calls
 * it has open end. Deleting grants alone races a refresh that read the grant first (or at a KV
 * location that still caches it) and writes it back for another day; the mark does not race, it
 * only waits for KV to carry it (up to about a minute).
 *
 * Reads are remembered per isolate for a few seconds (every `/mcp` request asks, and every open
 * stream keeps asking); the isolate that writes a mark knows it at once.
 */
import { userIdOf } from '../access/user-id.ts';

const MARK_PREFIX = 'revoked-user:';

/** How long a read of the mark (present or absent) is served from this isolate's memory. */
const REMEMBER_MS = 5_000;
const MAX_REMEMBERED = 1_000;
/** Reads remembered per KV binding (one per isolate in production), by user id. */
type Remembered = Map<string, { revokedAt: number | undefined; until: number }>;
const rememberedBy = new WeakMap<KVNamespace, Remembered>();

function rememberedIn(kv: KVNamespace): Remembered {
  let remembered = rememberedBy.get(kv);
  if (!remembered) {
    remembered = new Map() as Remembered;
    rememberedBy.set(kv, remembered);
  }
  return remembered;
}

/** What a grant's props carry for the check: when the person signed in (ms), absent on grants from before marks existed. */
export interface SignedIn {
  signedInAt?: number;
}

/**
 * Writes the mark for a user id: every grant signed in up to `now` is revoked. Kept as long as a
 * grant can live (`grantLifetimeSeconds`), plus an hour for clocks.
 *
 * @example
 * ```ts
 * await markRevoked(env.OAUTH_KV, userId, Date.now(), 24 * 60 * 60);
 * ```
 */
export async function markRevoked(
  kv: KVNamespace,
  userId: string,
  now: number,
  grantLifetimeSeconds: number,
): Promise<void> {
  await kv.put(`${MARK_PREFIX}${userId}`, JSON.stringify({ revokedAt: now }), {
    expirationTtl: grantLifetimeSeconds + 60 * 60,
  });
  // This isolate knows at once: its open streams and calls of this user end on their next look.
  remember(rememberedIn(kv), userId, now, Date.now());
}

/**
 * When the user was last revoked (ms since the epoch), or `undefined` when they never were (or the
 * mark expired, as every grant from before it has).
 *
 * @example
 * ```ts
 * const revokedAt = await revokedSince(env.OAUTH_KV, userId);
 * ```
 */
export async function revokedSince(kv: KVNamespace, userId: string, now = Date.now()): Promise<number | undefined> {
  const remembered = rememberedIn(kv);
  const hit = remembered.get(userId);
  if (hit && hit.until > now) return hit.revokedAt;
  const mark = await kv.get<{ revokedAt?: unknown }>(`${MARK_PREFIX}${userId}`, 'json');
  const revokedAt = typeof mark?.revokedAt === 'number' ? mark.revokedAt : undefined;
  remember(remembered, userId, revokedAt, now);
  return revokedAt;
}

function remember(remembered: Remembered, userId: string, revokedAt: number | undefined, now: number): void {
  remembered.delete(userId);
  if (remembered.size >= MAX_REMEMBERED) remembered.delete(remembered.keys().next().value!);
  remembered.set(userId, { revokedAt, until: now + REMEMBER_MS });
}

/**
 * Whether a grant with these props was signed in before the mark. A grant without `signedInAt`
 * predates marks, so any mark is newer than it.
 *
 * @example
 * ```ts
 * revokedByMark({ signedInAt: 1_000 }, 2_000); // true
 * revokedByMark({ signedInAt: 3_000 }, 2_000); // false: signed in again after the revocation
 * ```
 */
export function revokedByMark(props: SignedIn, revokedAt: number | undefined): boolean {
  if (revokedAt === undefined) return false;
  return typeof props.signedInAt !== 'number' || props.signedInAt <= revokedAt;
}

/**
 * The whole check for a grant's props: whether the person's mark is newer than their sign-in. The
 * mark is found by the email in the props (through the current user-id key), not by the user id a
 * token carries, so it also stops grants filed under an older id.
 *
 * @example
 * ```ts
 * if (await grantRevoked(env.OAUTH_KV, config.cookieSecret, ctx.props)) return invalidToken();
 * ```
 */
export async function grantRevoked(
  kv: KVNamespace,
  userIdSecret: string,
  props: SignedIn & { email: string },
): Promise<boolean> {
  return revokedByMark(props, await revokedSince(kv, await userIdOf(props.email, userIdSecret)));
}
