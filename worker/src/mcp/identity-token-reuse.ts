/**
 * A per-isolate memory of the identity tokens the Worker signed (docs/security.md 10, "Taken off
 * the hot path"). Signing one is a JSON encoding, an HMAC key import and an HMAC over the claims on
 * every forwarded request (about a tenth of a millisecond of the isolate's CPU per proxied call,
 * `npm run bench:profile`), while an MCP client sends its calls back to back as the same person to
 * the same upstream. A token is reused only for the same claims (user key, email, groups), the same
 * upstream (audience) and the same key, and only while it has most of its minute left.
 *
 * Why it is safe: a reused token is one the upstream already accepts for the rest of its minute, so
 * nothing is accepted that was not before; it never leaves the isolate except in the header to that
 * upstream. It is used only after the request passed every check of `/mcp` (the OAuth provider, the
 * policy gate), so a person whose grant is revoked gets no further than before: the memory serves
 * no request the Worker refused. A change of groups or email makes new claims, so a new token.
 */
import { signIdentityToken, type SignedIdentity } from '../../../container/src/identity-token.ts';

/** How long a signed token is reused: it then still has more than 39 of its 60 s, ample for one hop. */
export const IDENTITY_REUSE_MS = 20_000;
/** Most tokens remembered per isolate (a few hundred bytes each): one per person and upstream in use. */
const REMEMBERED_TOKENS = 1_000;

interface Remembered {
  token: Promise<string>;
  /** Until when (ms since the epoch) the token is handed out again. */
  reuseUntil: number;
}

/** A memory of signed tokens; the module keeps one per isolate ({@link reusableIdentityToken}). */
export class IdentityTokenMemory {
  readonly #tokens = new Map<string, Remembered>();
  readonly #now: () => number;
  readonly #sign: typeof signIdentityToken;

  constructor(options: { now?: () => number; sign?: typeof signIdentityToken } = {}) {
    this.#now = options.now ?? Date.now;
    this.#sign = options.sign ?? signIdentityToken;
  }

  /**
   * A token for `identity` at `audience`, signed with `key`: the one signed in the last
   * {@link IDENTITY_REUSE_MS} for exactly these, else a new one.
   *
   * @example
   * ```ts
   * const memory = new IdentityTokenMemory();
   * const token = await memory.token({ userKey: 'u-1', email: 'a@example.com', groups: [] }, { key, audience });
   * ```
   */
  token(identity: SignedIdentity, options: { key: string; audience: string }): Promise<string> {
    // JSON of an array: no separator inside a value can make two different inputs one id.
    const id = JSON.stringify([options.audience, options.key, identity.userKey, identity.email, identity.groups]);
    const now = this.#now();
    const found = this.#tokens.get(id);
    if (found && now < found.reuseUntil) return found.token;
    if (found) this.#tokens.delete(id);
    const token = this.#sign(identity, { ...options, now });
    // A failed signing is not remembered.
    token.catch(() => {
      if (this.#tokens.get(id)?.token === token) this.#tokens.delete(id);
    });
    if (this.#tokens.size >= REMEMBERED_TOKENS) this.#tokens.delete(this.#tokens.keys().next().value!);
    this.#tokens.set(id, { token, reuseUntil: now + IDENTITY_REUSE_MS });
    return token;
  }
}

const isolateMemory = new IdentityTokenMemory();

/**
 * The identity token for one forwarded request, from this isolate's {@link IdentityTokenMemory}.
 *
 * @example
 * ```ts
 * const identity = await reusableIdentityToken({ userKey: user.sub, email: user.email, groups: user.groups }, { key, audience });
 * ```
 */
export function reusableIdentityToken(identity: SignedIdentity, options: { key: string; audience: string }) {
  return isolateMemory.token(identity, options);
}
