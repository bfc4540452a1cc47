/**
 * The stand-in's signing key, made new at every start, so no key material is ever kept or checked
 * in for a local stack.
 */
import { randomBytes } from 'node:crypto';
import { exportJWK, generateKeyPair } from 'jose';
import type { JWKS } from 'oidc-provider';

/**
 * A fresh RS256 signing key (RSA 2048, the algorithm Access signs id_tokens with) as a
 * private JWK Set for oidc-provider. New at every start: relying parties fetch the
 * public half from the JWKS endpoint, so nothing needs to be kept on disk.
 */
export async function generateSigningKeys(): Promise<JWKS> {
  const { privateKey } = await generateKeyPair('RS256', { modulusLength: 2048, extractable: true });
  const jwk = await exportJWK(privateKey);
  return { keys: [{ ...jwk, kid: randomBytes(16).toString('hex'), alg: 'RS256', use: 'sig' }] };
}
