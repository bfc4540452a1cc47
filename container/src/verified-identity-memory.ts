/**
 * The bridge's memory of identity tokens it has verified (docs/security.md 10, "Taken off the hot
 * path"). Verifying one (parse, HMAC key import, HMAC, claim checks) costs about 90 µs of the
 * container's CPU on every request, and the Worker hands the same token to back-to-back requests of
 * one person (worker/src/mcp/identity-token-reuse.ts).
 *
 * Why it is safe: only a token that passed the full check is remembered, by its exact text and with
 * the key and audience it was checked against, and only until the earlier of its `exp` and `iat` +
 * 60 s, without the clock tolerance the full check allows; after that, or for any other text, key or
 * audience, the full check runs again and decides. So the memory accepts nothing the full check
 * would refuse at that moment. It holds at most {@link REMEMBERED_IDENTITIES} tokens; a token that
 * was refused is never remembered, so a flood of forged headers does not fill it.
 */
import type { SignedIdentity } from './identity-token.ts';

/** Most tokens remembered: a container serves one person (or one tenant's few), each with a token at a time. */
const REMEMBERED_IDENTITIES = 256;

interface Remembered {
  identity: SignedIdentity;
  key: string;
  audience: string;
  /** Until when (ms since the epoch) the token is accepted from memory. */
  until: number;
}

/** Verified identity tokens by their text. Pure (no I/O). */
export class VerifiedIdentityMemory {
  readonly #tokens = new Map<string, Remembered>();
  readonly #now: () => number;

  constructor(now: () => number = () => Date.now()) {
    this.#now = now;
  }

  /**
   * The identity of `token` if it was verified with this key and audience and is still within its
   * time, else `undefined` (the caller verifies it in full).
   *
   * @example
   * ```ts
   * const identity = memory.recall(header, key, audience) ?? (await verifyAndRemember(header));
   * ```
   */
  recall(token: string, key: string, audience: string): SignedIdentity | undefined {
    const found = this.#tokens.get(token);
    if (!found) return undefined;
    if (this.#now() >= found.until || found.key !== key || found.audience !== audience) {
      this.#tokens.delete(token);
      return undefined;
    }
    return { ...found.identity, groups: [...found.identity.groups] };
  }

  /**
   * Remembers a token the full check has just accepted, until `until` (ms since the epoch).
   *
   * @example
   * ```ts
   * memory.remember(header, { key, audience, identity, until: Math.min(exp, iat + 60) * 1000 });
   * ```
   */
  remember(token: string, entry: { identity: SignedIdentity; key: string; audience: string; until: number }): void {
    if (this.#now() >= entry.until) return;
    this.#tokens.delete(token);
    if (this.#tokens.size >= REMEMBERED_IDENTITIES) {
      // Expired entries go first; if none has, the oldest.
      const now = this.#now();
      for (const [text, remembered] of this.#tokens) if (now >= remembered.until) this.#tokens.delete(text);
      if (this.#tokens.size >= REMEMBERED_IDENTITIES) this.#tokens.delete(this.#tokens.keys().next().value!);
    }
    this.#tokens.set(token, { ...entry, identity: { ...entry.identity, groups: [...entry.identity.groups] } });
  }

  /** How many tokens are remembered (for tests and logs). */
  get size(): number {
    return this.#tokens.size;
  }
}
