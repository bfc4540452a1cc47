// The one Node module the Worker uses: `createHash` for the pinned definitions' digests
// (policies/definitions/definition-digest.ts), which must be synchronous inside a streaming rewrite.
// workerd implements it under `nodejs_compat` (developers.cloudflare.com/workers/runtime-apis/nodejs/crypto/);
// @types/node cannot be loaded beside the Workers types, so only what is used is declared.
declare module 'node:crypto' {
  export function createHash(algorithm: 'sha256'): {
    update(data: string): { digest(encoding: 'hex'): string };
  };
}
