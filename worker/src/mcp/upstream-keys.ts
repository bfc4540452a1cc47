/**
 * The identity-signing key of each upstream, derived once per isolate from the Worker's
 * `IDENTITY_SIGNING_KEY` (`deriveUpstreamKey`): every upstream verifies with its own key, so the key
 * one container or URL upstream holds mints nothing another accepts (docs/security.md, 20).
 * Derivation is an HMAC, cheap, but it runs on every MCP request; the results are remembered for
 * the upstreams seen most recently.
 */
import { deriveUpstreamKey } from '../../../container/src/identity-token.ts';

/** How many upstreams' keys an isolate remembers (one per user's container, about 100 bytes each). */
const REMEMBERED_UPSTREAMS = 1_000;

const remembered = new Map<string, Promise<string>>();

/**
 * The key that `upstream` (`container:<Durable Object id>` or `url:<MCP URL>`) verifies tokens with.
 *
 * @example
 * ```ts
 * const key = await upstreamKey(config.identitySigningKey, `url:${target.href}`);
 * ```
 */
export function upstreamKey(workerKey: string, upstream: string): Promise<string> {
  const id = `${upstream}\n${workerKey}`;
  let key = remembered.get(id);
  if (key === undefined) {
    key = deriveUpstreamKey(workerKey, upstream);
    // A failed derivation is not remembered.
    key.catch(() => remembered.delete(id));
    if (remembered.size >= REMEMBERED_UPSTREAMS) remembered.delete(remembered.keys().next().value!);
    remembered.set(id, key);
  } else {
    // Most recently used last, so the oldest is the one forgotten.
    remembered.delete(id);
    remembered.set(id, key);
  }
  return key;
}
