/**
 * Keeps the stand-in's OIDC state (sessions, codes, tokens) in memory for exactly as long as one
 * stand-in runs, so a restart starts clean and nothing is written to disk.
 */
import type { Adapter, AdapterPayload } from 'oidc-provider';

interface StoredPayload {
  payload: AdapterPayload;
  /** Epoch milliseconds; Infinity when oidc-provider gave no lifetime. */
  expiresAt: number;
}

/**
 * Storage for one stand-in instance: sessions, interactions, grants, codes and tokens
 * in a Map that disappears with the instance. oidc-provider's built-in memory adapter
 * would do the same job but prints a warning at every start; this one is quiet and
 * private to its provider. Lookups by uid or grant scan the map: a dev stand-in holds
 * a handful of entries.
 *
 * @example
 * ```ts
 * new Provider(issuer, { adapter: createMemoryAdapterFactory(), … });
 * ```
 */
export function createMemoryAdapterFactory(): (model: string) => Adapter {
  const store = new Map<string, StoredPayload>();

  const isLive = (stored: StoredPayload): boolean => stored.expiresAt > Date.now();
  const forgetExpired = (): void => {
    for (const [key, stored] of store) if (!isLive(stored)) store.delete(key);
  };

  return (model) => {
    const keyOf = (id: string): string => `${model}:${id}`;
    const read = (id: string): AdapterPayload | undefined => {
      const stored = store.get(keyOf(id));
      return stored && isLive(stored) ? stored.payload : undefined;
    };
    const findInModel = (matches: (payload: AdapterPayload) => boolean): AdapterPayload | undefined => {
      for (const [key, stored] of store) {
        if (key.startsWith(`${model}:`) && isLive(stored) && matches(stored.payload)) return stored.payload;
      }
      return undefined;
    };

    return {
      async upsert(id, payload, expiresIn) {
        forgetExpired();
        store.set(keyOf(id), { payload, expiresAt: expiresIn ? Date.now() + expiresIn * 1000 : Infinity });
      },
      async find(id) {
        return read(id);
      },
      async findByUid(uid) {
        return findInModel((payload) => payload.uid === uid);
      },
      async findByUserCode(userCode) {
        return findInModel((payload) => payload.userCode === userCode);
      },
      async consume(id) {
        const payload = read(id);
        if (payload) payload.consumed = Math.floor(Date.now() / 1000);
      },
      async destroy(id) {
        store.delete(keyOf(id));
      },
      async revokeByGrantId(grantId) {
        for (const [key, stored] of store) if (stored.payload.grantId === grantId) store.delete(key);
      },
    };
  };
}
