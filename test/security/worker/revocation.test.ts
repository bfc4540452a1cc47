/**
 * Revocation sticks (docs/security.md 19). Deleting a user's grants alone loses to a refresh that
 * read the grant first, or at a KV location that still serves the old record: the refresh rotates
 * the grant and writes it back, and the user keeps access for another day. Here the Worker is run
 * against KV views that are stale or that interleave a refresh with the revocation exactly; after
 * `revoke-user`, no refresh brings a grant back into use, and the user's open streams and running
 * calls end.
 */
import { createExecutionContext, env, SELF, waitOnExecutionContext } from 'cloudflare:test';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import worker from '../../../worker/src/index.ts';
import { FakeAccess, MCP_URL, ORIGIN } from './fake-access.ts';
import { mcpRequest, signIn, type Tokens } from './browser.ts';

const ADMIN_TOKEN = 'security-admin-token-0123456789abcdef012345';

let access: FakeAccess;
beforeEach(async () => {
  access = await FakeAccess.start();
});
afterEach(() => {
  vi.restoreAllMocks();
});

function revokeRequest(email = 'alice@example.com'): Request {
  return new Request(`${ORIGIN}/admin/revoke-user`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${ADMIN_TOKEN}` },
    body: JSON.stringify({ email }),
  });
}

function revoke(email = 'alice@example.com'): Promise<Response> {
  return SELF.fetch(revokeRequest(email));
}

function refreshRequest(tokens: Tokens & { clientId: string }): Request {
  return new Request(`${ORIGIN}/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: tokens.refresh_token,
      client_id: tokens.clientId,
      resource: MCP_URL,
    }),
  });
}

/** One env per location, as workerd gives an isolate one env for all its requests (the Worker keys its memory by it). */
const locations = new WeakMap<KVNamespace, Cloudflare.Env>();

/** The Worker, as one KV location sees it: `kv` is that location's view. */
async function atLocation(request: Request, kv: KVNamespace): Promise<Response> {
  let locationEnv = locations.get(kv);
  if (!locationEnv) {
    locationEnv = { ...env, OAUTH_KV: kv };
    locations.set(kv, locationEnv);
  }
  const ctx = createExecutionContext();
  const response = await worker.fetch(request as Request<unknown, IncomingRequestCfProperties>, locationEnv, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

/** A view of KV in which `get` answers from `overrides` first, and `put` may wait for something. */
function kvView(
  overrides: { get?: (key: string) => string | null | undefined; beforePut?: (key: string) => Promise<void> } = {},
): KVNamespace {
  const kv = env.OAUTH_KV;
  return new Proxy(kv, {
    get(target, property) {
      if (property === 'get')
        return async (key: string, options?: unknown) => {
          const text = overrides.get?.(key);
          if (text === undefined) return (kv.get as (k: string, o?: unknown) => Promise<unknown>)(key, options);
          if (text === null) return null;
          const type = typeof options === 'string' ? options : (options as { type?: string } | undefined)?.type;
          return type === 'json' ? JSON.parse(text) : text;
        };
      if (property === 'put')
        return async (
          key: string,
          ...rest: Parameters<KVNamespace['put']> extends [string, ...infer R] ? R : never
        ) => {
          await overrides.beforePut?.(key);
          return kv.put(key, ...rest);
        };
      const value = Reflect.get(target, property, target) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** A server's event stream that stays open, with a comment line every 20 ms, as a real one keeps its connection. */
function heartbeatStream(): Response {
  let timer: ReturnType<typeof setInterval>;
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      timer = setInterval(() => controller.enqueue(new TextEncoder().encode(': ping\n\n')), 20);
    },
    cancel() {
      clearInterval(timer);
    },
  });
  return new Response(body, { headers: { 'Content-Type': 'text/event-stream' } });
}

const grantKeyOf = (token: string) => {
  const [userId, grantId] = token.split(':');
  return `grant:${userId}:${grantId}`;
};
const oauthError = async (response: Response) => (await response.json<{ error?: string }>()).error;
const grantsOf = async (token: string) =>
  (await env.OAUTH_KV.list({ prefix: `grant:${token.split(':')[0]}:` })).keys.length;

describe('revocation against stale KV locations and racing refreshes (docs/security.md 19)', () => {
  it('a location that still serves the revoked grant refuses its refresh', async () => {
    const tokens = await signIn(access);
    const staleGrant = await env.OAUTH_KV.get(grantKeyOf(tokens.refresh_token));
    expect(staleGrant).not.toBeNull();
    expect((await revoke()).status).toBe(200);

    const stale = kvView({ get: (key) => (key === grantKeyOf(tokens.refresh_token) ? staleGrant : undefined) });
    expect(await oauthError(await atLocation(refreshRequest(tokens), stale))).toBe('invalid_grant');
    expect(await grantsOf(tokens.refresh_token)).toBe(0);
  });

  it('a refresh at a location that saw neither the revocation nor the mark gets tokens that work nowhere once the mark arrives', async () => {
    const tokens = await signIn(access);
    const staleGrant = await env.OAUTH_KV.get(grantKeyOf(tokens.refresh_token));
    expect((await revoke()).status).toBe(200);

    // This location is wholly behind: the grant as before, no mark yet. The refresh writes the grant back.
    const behind = kvView({
      get: (key) =>
        key === grantKeyOf(tokens.refresh_token) ? staleGrant : key.startsWith('revoked-user:') ? null : undefined,
    });
    const refreshed = await atLocation(refreshRequest(tokens), behind);
    expect(refreshed.status).toBe(200);
    const revived = { ...(await refreshed.json<Tokens>()), clientId: tokens.clientId };
    expect(await grantsOf(tokens.refresh_token)).toBe(1);

    // Everywhere the mark has arrived, the revived grant is dead, and is deleted when next used.
    expect((await mcpRequest(revived.access_token)).status).toBe(401);
    expect(await oauthError(await atLocation(refreshRequest(revived), env.OAUTH_KV))).toBe('invalid_grant');
    expect(await grantsOf(tokens.refresh_token)).toBe(0);
    expect(access.upstreamRequests).toHaveLength(0);
  });

  it('a refresh that read the grant before the revocation and wrote it back after: its tokens are dead', async () => {
    const tokens = await signIn(access);
    let reachedWrite!: () => void;
    const writing = new Promise<void>((resolve) => (reachedWrite = resolve));
    let revoked!: () => void;
    const revocationDone = new Promise<void>((resolve) => (revoked = resolve));
    const racing = kvView({
      beforePut: async (key) => {
        if (!key.startsWith('grant:')) return;
        reachedWrite();
        await revocationDone;
      },
    });

    const refreshing = atLocation(refreshRequest(tokens), racing);
    await writing; // the refresh has read the grant and passed every check
    expect((await revoke()).status).toBe(200);
    expect(await grantsOf(tokens.refresh_token)).toBe(0);
    revoked();
    const refreshed = await refreshing;
    expect(refreshed.status).toBe(200);
    const revived = { ...(await refreshed.json<Tokens>()), clientId: tokens.clientId };
    expect(await grantsOf(tokens.refresh_token)).toBe(1); // written back

    expect((await mcpRequest(revived.access_token)).status).toBe(401);
    expect(await oauthError(await atLocation(refreshRequest(revived), env.OAUTH_KV))).toBe('invalid_grant');
    expect(access.upstreamRequests).toHaveLength(0);
  });

  it('the second sweep (revoke-user again after KV has settled) removes grants nobody used since', async () => {
    const tokens = await signIn(access);
    const staleGrant = (await env.OAUTH_KV.get(grantKeyOf(tokens.refresh_token)))!;
    expect((await revoke()).status).toBe(200);
    // A racing write put it back, and nobody has used it since.
    await env.OAUTH_KV.put(grantKeyOf(tokens.refresh_token), staleGrant);
    const second = await revoke();
    expect(await second.json()).toMatchObject({ revokedGrants: 1, secondSweepAfterSeconds: 60 });
    expect(await grantsOf(tokens.refresh_token)).toBe(0);
  });

  it('signing in again after a revocation works (the mark only stops what came before it)', async () => {
    await signIn(access);
    expect((await revoke()).status).toBe(200);
    const again = await signIn(access);
    expect((await mcpRequest(again.access_token)).status).toBe(200);
  });
});

describe('revocation ends open work (docs/security.md 19)', () => {
  it("the revoked user's open GET stream ends, and a reconnect is refused", async () => {
    const tokens = await signIn(access);
    access.serverAnswer = heartbeatStream;
    const stream = await SELF.fetch(MCP_URL, {
      headers: { Authorization: `Bearer ${tokens.access_token}`, Accept: 'text/event-stream' },
    });
    expect(stream.status).toBe(200);
    const reader = stream.body!.getReader();
    expect((await reader.read()).done).toBe(false);
    expect((await revoke()).status).toBe(200);
    let next = await reader.read();
    while (!next.done) next = await reader.read();
    expect(next.done).toBe(true);
    const reconnect = await SELF.fetch(MCP_URL, {
      headers: { Authorization: `Bearer ${tokens.access_token}`, Accept: 'text/event-stream' },
    });
    expect(reconnect.status).toBe(401);
  });

  it("the revoked user's running call is cut: the server's session ends, the request is aborted, the client gets 401", async () => {
    const tokens = await signIn(access);
    let serverSawAbort!: () => void;
    const aborted = new Promise<void>((resolve) => (serverSawAbort = resolve));
    let callArrived!: () => void;
    const arrived = new Promise<void>((resolve) => (callArrived = resolve));
    access.serverAnswer = (request) =>
      request.method === 'DELETE'
        ? new Response(null, { status: 200 })
        : new Promise<Response>((_resolve, reject) => {
            request.signal.addEventListener('abort', () => {
              serverSawAbort();
              reject(new Error('aborted'));
            });
            callArrived();
          });
    // The call and the revocation run in this test's own request context (not through SELF): the
    // fake server settles `arrived` and `aborted` from inside the Worker, and a test that resumed
    // from another request's settlement would go on inside that request and end with it (workerd
    // then delivers nothing more to the test, not even its timeout). Both at one location: the
    // isolate that revokes knows the mark at once (admin/revocation-mark.ts).
    const here = kvView();
    const call = atLocation(
      new Request(MCP_URL, {
        method: 'POST',
        headers: {
          Authorization: `Bearer ${tokens.access_token}`,
          'Content-Type': 'application/json',
          Accept: 'application/json, text/event-stream',
          'Mcp-Session-Id': 'session-of-alice',
          'Mcp-Protocol-Version': '2025-11-25',
        },
        body: JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'echo', arguments: {} } }),
      }),
      here,
    );
    await arrived;
    expect((await atLocation(revokeRequest(), here)).status).toBe(200);
    const answer = await call;
    expect(answer.status).toBe(401);
    expect(answer.headers.get('WWW-Authenticate')).toContain('invalid_token');
    expect(await answer.json()).toMatchObject({ error: 'invalid_token' });
    await aborted;
    const ended = access.upstreamRequests.find(({ method }) => method === 'DELETE');
    expect(ended?.headers.get('Mcp-Session-Id')).toBe('session-of-alice');
  });

  it("another user's streams are left alone", async () => {
    const alice = await signIn(access);
    const { BOB } = await import('./fake-access.ts');
    access.idToken = (nonce) => access.sign({ ...BOB, nonce });
    const bob = await signIn(access);
    access.serverAnswer = heartbeatStream;
    const open = async (token: string) => {
      const stream = await SELF.fetch(MCP_URL, {
        headers: { Authorization: `Bearer ${token}`, Accept: 'text/event-stream' },
      });
      const reader = stream.body!.getReader();
      expect((await reader.read()).done).toBe(false);
      return reader;
    };
    const alicesStream = await open(alice.access_token);
    const bobsStream = await open(bob.access_token);
    expect((await revoke('alice@example.com')).status).toBe(200);
    let next = await alicesStream.read();
    while (!next.done) next = await alicesStream.read();
    // Alice's stream has ended; bob's, watched the same way, still flows.
    for (let i = 0; i < 5; i++) expect((await bobsStream.read()).done).toBe(false);
    await bobsStream.cancel();
  });
});
