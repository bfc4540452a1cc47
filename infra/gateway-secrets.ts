/**
 * `GatewaySecrets`: the Worker's own random keys, made by Pulumi so that no person ever sees,
 * types or stores them (docs/security.md 17: separate keys of at least 32 bytes, nothing sourced
 * from a shell file).
 *
 * Each key is a `random.RandomBytes` whose outputs are secret in state; the Worker receives
 * it as a `secret_text` binding: the base64 text of 32 random bytes (44 characters; the Worker
 * and the bridge use the text itself as the key, and want at least 32 characters). Replacing
 * one resource rotates one key: `pulumi up --replace <urn of that RandomBytes>`.
 */
import * as pulumi from '@pulumi/pulumi';
import * as random from '@pulumi/random';

/** Bytes of entropy per key: 256 bits, the size of an HMAC-SHA-256 key or an Ed25519 seed. */
const KEY_BYTES = 32;

/**
 * The Worker's binding name for each key, with what it protects. The names are a contract
 * with `worker/env.d.ts` and `dev/` (which writes the same names to `.dev.vars`). The sign-in
 * state needs no key: it is random, single-use and kept server-side in KV (docs/security.md 1).
 */
const SECRET_BINDINGS = {
  /** Signs the consent page's "remember this client" cookie (docs/security.md 3). */
  cookieKey: 'COOKIE_SIGNING_KEY',
  /** Signs the identity token the Worker gives every forwarded MCP request; the bridge verifies it (docs/security.md 10). */
  identityKey: 'IDENTITY_SIGNING_KEY',
  /** The operator's bearer token for `/admin/` (offboarding: `npm run revoke-user`); a secret stack output. */
  adminToken: 'ADMIN_TOKEN',
} as const;

export type GatewayKey = keyof typeof SECRET_BINDINGS;

/**
 * Independent random keys for the Worker, one per purpose.
 *
 * @example
 * ```ts
 * const secrets = new GatewaySecrets('gateway-secrets');
 * secrets.bindings; // [{ name: 'COOKIE_SIGNING_KEY', value: Output<string> (secret) }, ...]
 * ```
 */
export class GatewaySecrets extends pulumi.ComponentResource {
  /** The base64 text of each key; every one a Pulumi secret. */
  readonly keys: Record<GatewayKey, pulumi.Output<string>>;

  constructor(name: string, opts?: pulumi.ComponentResourceOptions) {
    super('secure-mcp:index:GatewaySecrets', name, {}, opts);
    const makeKey = (key: GatewayKey) =>
      // `base64` and `hex` of RandomBytes are secret outputs already; `secret()` says so where it is used.
      pulumi.secret(new random.RandomBytes(`${name}-${kebab(key)}`, { length: KEY_BYTES }, { parent: this }).base64);
    this.keys = {
      cookieKey: makeKey('cookieKey'),
      identityKey: makeKey('identityKey'),
      adminToken: makeKey('adminToken'),
    };
    this.registerOutputs({});
  }

  /** The keys as Worker bindings, in a stable order. */
  get bindings(): { name: string; value: pulumi.Output<string> }[] {
    return (Object.keys(SECRET_BINDINGS) as GatewayKey[]).map((key) => ({
      name: SECRET_BINDINGS[key],
      value: this.keys[key],
    }));
  }
}

function kebab(text: string): string {
  return text.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
}
