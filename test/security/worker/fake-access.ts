/**
 * A fake Cloudflare Access (and a fake MCP server) for the attack suite, inside workerd.
 *
 * The Worker under test reaches Access's token endpoint and JWKS, and the MCP server, with
 * `fetch`; the tests share the Worker's isolate, so replacing `globalThis.fetch` puts those
 * answers in the test's hands: which id_token the token endpoint returns (signed by keys the
 * test controls, or forged), which keys the JWKS lists, and what the MCP server saw.
 */
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { env } from 'cloudflare:test';
import { vi } from 'vitest';

export const ORIGIN = 'http://localhost:8788';
export const MCP_URL = `${ORIGIN}/mcp`;

interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

let sharedKey: Promise<SigningKey> | undefined;

async function createKey(kid: string): Promise<SigningKey> {
  const pair = await generateKeyPair('RS256', { extractable: true });
  return {
    kid,
    privateKey: pair.privateKey,
    publicJwk: { ...(await exportJWK(pair.publicKey)), kid, alg: 'RS256', use: 'sig' },
  };
}

/** The claims a well-behaved Access puts into an id_token for a user. */
export interface FakeUser {
  sub: string;
  email: string;
  groups: string[];
}

export const ALICE: FakeUser = { sub: 'access-sub-alice', email: 'alice@example.com', groups: ['engineering'] };
export const BOB: FakeUser = { sub: 'access-sub-bob', email: 'bob@example.com', groups: ['support'] };

/** Builds the id_token the token endpoint returns, given the nonce of the sign-in in progress. */
export type IdTokenFactory = (nonce: string) => Promise<string>;

export class FakeAccess {
  keys: SigningKey[] = [];
  /** Keys the JWKS endpoint lists (by default all of `keys`). */
  publishedKids: string[] | undefined;
  jwksFetches = 0;
  tokenRequests: URLSearchParams[] = [];
  /** Requests the MCP server received from the Worker (read inside the Worker's I/O context). */
  upstreamRequests: { method: string; headers: Headers; body: string }[] = [];
  /** The nonce of the last sign-in sent to Access. */
  lastNonce = '';
  /** What the token endpoint answers; by default a valid id_token for ALICE. */
  idToken: IdTokenFactory = (nonce) => this.sign({ ...ALICE, nonce });
  /** What the MCP server answers (after the request is recorded); by default a small JSON result. */
  serverAnswer: (request: Request) => Response | Promise<Response> = () =>
    Response.json(
      { jsonrpc: '2.0', id: 1, result: { tools: [] } },
      { headers: { 'Mcp-Session-Id': 'session-from-server' } },
    );

  /**
   * A fresh fake Access around the same published key: the Worker caches Access's JWKS for the
   * life of its isolate (as in production), so the key stays put while everything else resets.
   */
  static async start(): Promise<FakeAccess> {
    const access = new FakeAccess();
    access.keys.push(await (sharedKey ??= createKey('key-1')));
    access.install();
    return access;
  }

  /** A key of its own that the JWKS lists too, unless `publishedKids` leaves it out. */
  async addKey(kid: string): Promise<SigningKey> {
    const key = await createKey(kid);
    this.keys.push(key);
    return key;
  }

  /** Signs an id_token as Access would; `claims` and `header` override the defaults. */
  async sign(
    claims: Record<string, unknown>,
    options: { kid?: string; expiresIn?: string | number; issuer?: string; audience?: string | string[] } = {},
  ): Promise<string> {
    const key = this.keys.find((k) => k.kid === (options.kid ?? this.keys[0]!.kid)) ?? this.keys[0]!;
    return new SignJWT({ name: 'Test User', ...claims })
      .setProtectedHeader({ alg: 'RS256', kid: options.kid ?? key.kid })
      .setIssuer(options.issuer ?? env.ACCESS_ISSUER)
      .setAudience(options.audience ?? env.ACCESS_CLIENT_ID)
      .setIssuedAt()
      .setExpirationTime(options.expiresIn ?? '5m')
      .sign(key.privateKey);
  }

  install(): void {
    const original = globalThis.fetch;
    vi.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
      const request = new Request(input, init);
      if (request.url === env.ACCESS_TOKEN_URL) {
        this.tokenRequests.push(new URLSearchParams(await request.text()));
        return Response.json({
          access_token: 'access-at-SECRET',
          refresh_token: 'access-rt-SECRET',
          token_type: 'Bearer',
          id_token: await this.idToken(this.lastNonce),
        });
      }
      if (request.url === env.ACCESS_JWKS_URL) {
        this.jwksFetches += 1;
        const published = this.keys.filter((k) => !this.publishedKids || this.publishedKids.includes(k.kid));
        return Response.json({ keys: published.map((k) => k.publicJwk) });
      }
      if (request.url === env.UPSTREAM_URL) {
        this.upstreamRequests.push({
          method: request.method,
          headers: new Headers(request.headers),
          body: await request.clone().text(),
        });
        return this.serverAnswer(request);
      }
      return original(input, init);
    });
  }
}
