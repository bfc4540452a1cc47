/**
 * How long what the OAuth provider issues lives, in one place: the provider's options and the
 * revocation mark (which must outlive every grant it stops) read the same numbers.
 */

/** Access tokens are short-lived; clients refresh them. */
export const ACCESS_TOKEN_TTL_SECONDS = 15 * 60;
/**
 * A grant lives no longer than an Access session (24 h by default), however often it is
 * refreshed: the lifetime is fixed at sign-in (no sliding `refreshTokenIdleTTL`), so a person
 * removed from Access is out within a day even if nobody runs the offboarding command.
 */
export const REFRESH_TOKEN_TTL_SECONDS = 24 * 60 * 60;
