/**
 * The Worker-signed identity a forwarded MCP request carries to its server (docs/security.md 10).
 *
 * The client's `Authorization` never leaves the Worker; instead the Worker signs a short-lived
 * token that names the user, and the bridge accepts a request only with a valid one. It is a
 * compact JWT (HS256) with a key of its own (never the cookie or state key), an audience naming
 * the upstream it was made for, and an expiry of a minute, so a captured header is worth little.
 * Each upstream has a key of its own, derived from the Worker's ({@link deriveUpstreamKey}), so the
 * key a container holds is good for that container only.
 * Built on jose and WebCrypto, so the same file signs in workerd and verifies in Node.
 */
import { errors, jwtVerify, SignJWT } from 'jose';

/** The request header that carries the token. */
export const IDENTITY_HEADER = 'X-Secure-MCP-Identity';
/** Who signs: the `iss` of every identity token. */
const IDENTITY_ISSUER = 'secure-mcp-worker';
/** How long a token is valid: long enough for one request to reach the server, no longer. */
const IDENTITY_TTL_SECONDS = 60;
/** Shortest accepted key, in characters (a random 32-byte key is 43 characters of base64url). */
const MIN_IDENTITY_KEY_LENGTH = 32;
/** Clock skew tolerated between the Worker and the container. */
const CLOCK_TOLERANCE_SECONDS = 5;
/** Tokens longer than this are not even parsed. */
const MAX_TOKEN_LENGTH = 8 * 1024;

/** The user an identity token vouches for. */
export interface SignedIdentity {
  /** Stable key of the user (Access's `sub`); the bridge binds sessions to it. */
  userKey: string;
  email: string;
  groups: string[];
}

/** Why a key or token was refused. */
export class IdentityTokenError extends Error {
  override name = 'IdentityTokenError';
}

function keyBytes(key: string): Uint8Array {
  if (typeof key !== 'string' || key.length < MIN_IDENTITY_KEY_LENGTH) {
    throw new IdentityTokenError(`the identity signing key must be at least ${MIN_IDENTITY_KEY_LENGTH} characters`);
  }
  return new TextEncoder().encode(key);
}

/**
 * Signs an identity token for one upstream.
 *
 * @example
 * ```ts
 * const token = await signIdentityToken({ userKey: 'u-1', email: 'alice@example.com', groups: [] },
 *   { key: env.IDENTITY_SIGNING_KEY, audience: 'http://127.0.0.1:8790/mcp' });
 * headers.set(IDENTITY_HEADER, token);
 * ```
 */
export async function signIdentityToken(
  identity: SignedIdentity,
  options: { key: string; audience: string; ttlSeconds?: number; now?: number },
): Promise<string> {
  const now = Math.floor((options.now ?? Date.now()) / 1000);
  return new SignJWT({ email: identity.email, groups: identity.groups })
    .setProtectedHeader({ alg: 'HS256', typ: 'secure-mcp-identity+jwt' })
    .setIssuer(IDENTITY_ISSUER)
    .setSubject(identity.userKey)
    .setAudience(options.audience)
    .setIssuedAt(now)
    .setExpirationTime(now + (options.ttlSeconds ?? IDENTITY_TTL_SECONDS))
    .sign(keyBytes(options.key));
}

/**
 * Verifies an identity token: HS256 only, our issuer, this upstream's audience, not expired and
 * not issued for longer than {@link IDENTITY_TTL_SECONDS}. Throws {@link IdentityTokenError}.
 *
 * @example
 * ```ts
 * const user = await verifyIdentityToken(header, { key, audience: 'http://127.0.0.1:8790/mcp' });
 * user.email; // 'alice@example.com'
 * ```
 */
export async function verifyIdentityToken(
  token: string,
  options: { key: string; audience: string },
): Promise<SignedIdentity> {
  const key = keyBytes(options.key);
  if (token.length > MAX_TOKEN_LENGTH) throw new IdentityTokenError('the identity token is too long');
  let payload;
  try {
    ({ payload } = await jwtVerify(token, key, {
      algorithms: ['HS256'],
      issuer: IDENTITY_ISSUER,
      audience: options.audience,
      typ: 'secure-mcp-identity+jwt',
      requiredClaims: ['sub', 'iat', 'exp'],
      maxTokenAge: IDENTITY_TTL_SECONDS + CLOCK_TOLERANCE_SECONDS,
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
    }));
  } catch (error) {
    if (error instanceof errors.JOSEError)
      throw new IdentityTokenError(`the identity token was refused (${error.code})`);
    throw error;
  }
  const { sub, email, groups } = payload;
  if (typeof sub !== 'string' || sub === '') throw new IdentityTokenError('the identity token names no user');
  if (typeof email !== 'string') throw new IdentityTokenError('the identity token carries no email');
  if (!Array.isArray(groups) || !groups.every((group) => typeof group === 'string')) {
    throw new IdentityTokenError('the identity token carries malformed groups');
  }
  return { userKey: sub, email, groups };
}

/** What {@link deriveUpstreamKey} mixes in before the upstream's name, so its keys serve nothing else. */
const DERIVATION_LABEL = 'secure-mcp upstream identity key v1\n';

/**
 * The key one upstream verifies identity tokens with: HMAC-SHA256 of the Worker's
 * `IDENTITY_SIGNING_KEY` over the upstream's name, base64url (43 characters). The Worker signs each
 * upstream's tokens with that upstream's key and hands the upstream only its own, never the Worker's:
 * a key that leaks from one container (`container:<Durable Object id>`) or from one URL upstream
 * (`url:<MCP URL>`) mints nothing any other upstream accepts, and the Worker's key cannot be worked
 * back from it (docs/security.md, requirement 20).
 *
 * @example
 * ```ts
 * const key = await deriveUpstreamKey(env.IDENTITY_SIGNING_KEY, `container:${id.toString()}`);
 * ```
 */
export async function deriveUpstreamKey(workerKey: string, upstream: string): Promise<string> {
  if (upstream === '') throw new IdentityTokenError('an upstream key needs the upstream’s name');
  const hmacKey = await crypto.subtle.importKey('raw', keyBytes(workerKey), { name: 'HMAC', hash: 'SHA-256' }, false, [
    'sign',
  ]);
  const mac = new Uint8Array(
    await crypto.subtle.sign('HMAC', hmacKey, new TextEncoder().encode(DERIVATION_LABEL + upstream)),
  );
  let binary = '';
  for (const byte of mac) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

/** The part of a Node `IncomingMessage` the authenticator reads. */
interface RequestWithHeaders {
  headers: Record<string, string | string[] | undefined>;
}

/**
 * The bridge's `authenticate` hook: a request is accepted only with exactly one valid identity
 * header; anything else resolves to `undefined`, which the bridge answers with 401.
 *
 * @example
 * ```ts
 * await startBridge({ command, authenticate: identityAuthenticator({ key, audience: `${url}/mcp` }) });
 * ```
 */
export function identityAuthenticator(options: {
  /** The key this upstream verifies with; a function when it is known only after listening. */
  key: string | (() => string);
  /** The audience the Worker signs for this upstream; a function when it is known only after listening. */
  audience: string | (() => string);
  onRefused?: (reason: string) => void;
}): (request: RequestWithHeaders) => Promise<SignedIdentity | undefined> {
  if (typeof options.key === 'string') keyBytes(options.key); // a bad key is a startup error, not 401s later
  const header = IDENTITY_HEADER.toLowerCase();
  const key = typeof options.key === 'function' ? options.key : () => options.key as string;
  const audience = typeof options.audience === 'function' ? options.audience : () => options.audience as string;
  return async (request) => {
    const value = request.headers[header];
    if (typeof value !== 'string' || value === '') {
      options.onRefused?.('no identity header');
      return undefined;
    }
    try {
      return await verifyIdentityToken(value, { key: key(), audience: audience() });
    } catch (error) {
      if (!(error instanceof IdentityTokenError)) throw error;
      options.onRefused?.(error.message);
      return undefined;
    }
  };
}
