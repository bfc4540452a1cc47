/**
 * Fuzzing the OAuth endpoints and `/mcp` with fast-check, inside workerd (docs/security.md 14):
 * random and mutated requests never get a 5xx from our code, never hang (each request must
 * answer within the test's timeout), and never reach the MCP server without a valid token.
 *
 * `npm test` runs a few hundred requests per endpoint; `npm run fuzz` sets
 * SECURE_MCP_FUZZ_RUNS (10,000 by default there) and prints the counts per endpoint.
 */
import { SELF, env } from 'cloudflare:test';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { decideRequest } from '../../../policies/engine/decide-request.ts';
import { toolPolicies } from '../../../worker/src/mcp/gate/tool-policies.ts';
import { readAs, type Reading } from '../support/lenient-json.ts';
import { BOB, FakeAccess, MCP_URL, ORIGIN } from './fake-access.ts';
import { REDIRECT_URI, registerClient, signIn } from './browser.ts';

const runs = inject('fuzzRuns') ?? 100;
/** Each request gets this long; a request that takes longer counts as a hang. */
const REQUEST_DEADLINE_MS = 5_000;
const counts = new Map<string, Map<number, number>>();

let access: FakeAccess;
let validToken: string;
/** A token of bob (group support), whose tools are few and whose weather calls are constrained. */
let bobToken: string;
/** Forwarded bodies whose readings disagree or that some reading denies: a parser differential that got through. */
const bypasses: string[] = [];
let clientId: string;

const print = console.log.bind(console);

beforeAll(async () => {
  // Thousands of refused requests each log one line (onError, the audit): keep the output readable.
  for (const method of ['log', 'warn', 'error', 'info'] as const)
    vi.spyOn(console, method).mockImplementation(() => {});
  access = await FakeAccess.start();
  ({ access_token: validToken } = await signIn(access));
  access.idToken = (nonce) => access.sign({ ...BOB, nonce });
  ({ access_token: bobToken } = await signIn(access));
  clientId = await registerClient();
});
afterAll(() => {
  vi.restoreAllMocks();
  const lines = [...counts].map(([endpoint, statuses]) => {
    const total = [...statuses.values()].reduce((a, b) => a + b, 0);
    const byStatus = [...statuses]
      .sort(([a], [b]) => a - b)
      .map(([status, n]) => `${status}×${n}`)
      .join(' ');
    return `  ${endpoint.padEnd(34)} ${String(total).padStart(6)} requests  ${byStatus}`;
  });
  print(
    `fuzz: requests per endpoint (status×count), ${runs} runs each\n${lines.join('\n')}\n` +
      `  bypasses (a forwarded body some decoder reads otherwise, or as denied): ${bypasses.length}`,
  );
});

/** Sends one fuzzed request, records its status, and fails on a 5xx or a hang. */
async function send(endpoint: string, url: string, init: RequestInit): Promise<Response> {
  let timer: ReturnType<typeof setTimeout> | null = null;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${endpoint}: no answer within ${REQUEST_DEADLINE_MS} ms (hang)`)),
      REQUEST_DEADLINE_MS,
    );
  });
  const response = await Promise.race([SELF.fetch(url, { redirect: 'manual', ...init }), deadline]).finally(() =>
    clearTimeout(timer),
  );
  await response.arrayBuffer(); // the whole body must arrive too
  const statuses = counts.get(endpoint) ?? new Map<number, number>();
  statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
  counts.set(endpoint, statuses);
  if (response.status >= 500) throw new Error(`${endpoint}: ${response.status} for ${init.method ?? 'GET'} ${url}`);
  return response;
}

const options = { numRuns: runs, endOnFailure: true };
const testTimeout = Math.max(30_000, runs * 60);

// Building blocks: strings with the characters parsers trip over, and mutations of valid input.
const nasty = fc.oneof(
  fc.string({ maxLength: 64 }),
  fc.string({ unit: 'binary', maxLength: 64 }),
  fc.constantFrom(
    '',
    ' ',
    'null',
    '[]',
    '{}',
    '%00',
    '%',
    '\u0000',
    '\uFFFF',
    '../',
    'javascript:alert(1)',
    'data:,x',
    'http://evil.example',
    'S256',
    'plain',
    '💥'.repeat(8),
    'a'.repeat(5000),
  ),
);
const contentTypes = fc.constantFrom(
  'application/json',
  'application/x-www-form-urlencoded',
  'text/plain',
  'multipart/form-data; boundary=x',
  '',
  'application/json; charset=utf-16',
  'application/jsonl',
);
const methods = fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD');
const jsonValue = fc.jsonValue({ maxDepth: 4 });

/** Flips, drops or inserts characters in a valid string. */
function mutate(valid: string) {
  return fc.oneof(
    fc.constant(valid),
    fc
      .tuple(fc.nat({ max: Math.max(0, valid.length - 1) }), fc.string({ minLength: 1, maxLength: 3 }))
      .map(([at, chars]) => valid.slice(0, at) + chars + valid.slice(at + 1)),
    fc.nat({ max: Math.max(0, valid.length - 1) }).map((at) => valid.slice(0, at) + valid.slice(at + 1)),
    fc.nat({ max: valid.length }).map((at) => valid.slice(0, at)),
    nasty.map((extra) => valid + extra),
  );
}

function formBody(fields: [string, string][]): string {
  const body = new URLSearchParams();
  for (const [name, value] of fields) body.append(name, value);
  return body.toString();
}

describe('fuzz: OAuth endpoints', () => {
  it(
    'POST /register: never a 5xx, and nothing but https or loopback http redirect URIs is ever registered',
    { timeout: testTimeout },
    async () => {
      const metadata = fc.record(
        {
          redirect_uris: fc.oneof(
            fc.array(fc.oneof(mutate(REDIRECT_URI), mutate('https://app.example.com/cb'), nasty), { maxLength: 12 }),
            jsonValue,
          ),
          client_name: fc.oneof(nasty, jsonValue),
          token_endpoint_auth_method: fc.oneof(
            fc.constantFrom('none', 'client_secret_basic', 'client_secret_post', 'private_key_jwt'),
            nasty,
          ),
          grant_types: fc.oneof(
            fc.array(
              fc.constantFrom('authorization_code', 'refresh_token', 'implicit', 'password', 'client_credentials'),
            ),
            jsonValue,
          ),
          response_types: fc.oneof(fc.array(fc.constantFrom('code', 'token', 'id_token')), jsonValue),
          client_uri: nasty,
          logo_uri: nasty,
          extra: jsonValue,
        },
        { requiredKeys: [] },
      );
      const valid = {
        client_name: 'Fuzz',
        redirect_uris: [REDIRECT_URI],
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
      };
      const body = fc.oneof(
        metadata.map((m) => JSON.stringify({ ...valid, ...m })), // a valid registration with some fields replaced
        metadata.map((m) => JSON.stringify(m)),
        mutate(JSON.stringify(valid)),
        nasty,
        jsonValue.map((v) => JSON.stringify(v)),
      );
      await fc.assert(
        fc.asyncProperty(body, contentTypes, async (text, type) => {
          const response = await send('POST /register', `${ORIGIN}/register`, {
            method: 'POST',
            headers: { 'Content-Type': type },
            body: text,
          });
          if (response.status === 201) {
            const registered = JSON.parse(text) as { redirect_uris: string[] };
            for (const uri of registered.redirect_uris) {
              const url = new URL(uri);
              const loopback =
                ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname) || url.hostname.startsWith('127.');
              expect(url.protocol === 'https:' || (url.protocol === 'http:' && loopback), uri).toBe(true);
            }
          }
        }),
        options,
      );
    },
  );

  it(
    'POST /token: never a 5xx, never a token without a valid code or refresh token',
    { timeout: testTimeout },
    async () => {
      const field = fc.tuple(
        fc.constantFrom(
          'grant_type',
          'code',
          'redirect_uri',
          'client_id',
          'code_verifier',
          'refresh_token',
          'resource',
          'scope',
          'token',
          'token_type_hint',
          'client_secret',
          'subject_token',
        ),
        fc.oneof(
          fc.constantFrom('authorization_code', 'refresh_token', clientId, REDIRECT_URI, MCP_URL, validToken),
          mutate(validToken),
          nasty,
        ),
      );
      await fc.assert(
        fc.asyncProperty(
          fc.array(field, { maxLength: 8 }),
          contentTypes,
          fc.oneof({ arbitrary: fc.constant('POST'), weight: 4 }, { arbitrary: methods, weight: 1 }),
          async (fields, type, method) => {
            const hasBody = method !== 'GET' && method !== 'HEAD';
            const response = await send('/token', `${ORIGIN}/token`, {
              method,
              headers: { 'Content-Type': type },
              body: hasBody ? formBody(fields) : undefined,
            });
            if (response.status === 200) {
              // Only RFC 7009 revocation answers 200 without a grant, and it returns no token.
              expect(fields.some(([name]) => name === 'token')).toBe(true);
            }
          },
        ),
        options,
      );
    },
  );

  it(
    'GET /authorize: never a 5xx, and a redirect goes only to the registered redirect URI or to Access',
    { timeout: testTimeout },
    async () => {
      const param = fc.tuple(
        fc.constantFrom(
          'response_type',
          'client_id',
          'redirect_uri',
          'code_challenge',
          'code_challenge_method',
          'state',
          'resource',
          'scope',
        ),
        fc.oneof(
          fc.constantFrom(
            'code',
            clientId,
            REDIRECT_URI,
            'S256',
            MCP_URL,
            'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
          ),
          mutate(REDIRECT_URI),
          mutate(clientId),
          nasty,
        ),
      );
      const validParams: [string, string][] = [
        ['response_type', 'code'],
        ['client_id', clientId],
        ['redirect_uri', REDIRECT_URI],
        ['code_challenge', 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM'],
        ['code_challenge_method', 'S256'],
        ['state', 's'],
        ['resource', MCP_URL],
      ];
      // A valid request with some parameters dropped, replaced or repeated, or random parameters.
      const params = fc.oneof(
        fc
          .tuple(fc.subarray(validParams), fc.array(param, { maxLength: 3 }))
          .map(([kept, extra]) => [...kept, ...extra]),
        fc.array(param, { maxLength: 10 }),
      );
      await fc.assert(
        fc.asyncProperty(params, async (sent) => {
          const url = new URL(`${ORIGIN}/authorize`);
          for (const [name, value] of sent) url.searchParams.append(name, value);
          const response = await send('GET /authorize', url.href, {});
          const location = response.headers.get('Location');
          if (location && !location.startsWith(env.ACCESS_AUTHORIZATION_URL)) {
            // Back to the registered redirect URI; on loopback any port is that URI (RFC 8252 §7.3).
            const target = new URL(location);
            const registered = new URL(REDIRECT_URI);
            expect(`${target.protocol}//${target.hostname}${target.pathname}`).toBe(
              `${registered.protocol}//${registered.hostname}${registered.pathname}`,
            );
          }
        }),
        options,
      );
    },
  );

  it('POST /authorize: a forged consent form never starts a sign-in', { timeout: testTimeout }, async () => {
    const field = fc.tuple(
      fc.constantFrom('handle', 'decision', 'remember', 'client_id', 'redirect_uri'),
      fc.oneof(fc.constantFrom('approve', 'deny', 'yes'), nasty),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(field, { maxLength: 6 }), contentTypes, nasty, async (fields, type, cookie) => {
        const response = await send('POST /authorize', `${ORIGIN}/authorize`, {
          method: 'POST',
          headers: { 'Content-Type': type, Cookie: `__Host-oauth-consent-x=${encodeURIComponent(cookie)}` },
          body: formBody(fields),
        });
        expect(response.status).not.toBe(302);
      }),
      options,
    );
  });

  it(
    "GET /callback: a forged return from Access never reaches Access's token endpoint",
    { timeout: testTimeout },
    async () => {
      const before = access.tokenRequests.length;
      const param = fc.tuple(fc.constantFrom('state', 'code', 'error', 'iss', 'error_description'), nasty);
      await fc.assert(
        fc.asyncProperty(fc.array(param, { maxLength: 5 }), nasty, async (params, cookie) => {
          const url = new URL(`${ORIGIN}/callback`);
          for (const [name, value] of params) url.searchParams.append(name, value);
          const response = await send('GET /callback', url.href, {
            headers: { Cookie: `__Host-oauth-upstream-${encodeURIComponent(cookie)}=x` },
          });
          expect(response.headers.get('Location')).toBeNull();
        }),
        options,
      );
      expect(access.tokenRequests.length).toBe(before);
    },
  );

  it(
    'other paths and the operator route: never a 5xx, never an operator action without its token',
    { timeout: testTimeout },
    async () => {
      const path = fc.oneof(
        fc.constantFrom(
          '/',
          '/.well-known/oauth-authorization-server',
          '/.well-known/oauth-protected-resource/mcp',
          '/.well-known/openid-configuration',
          '/admin/revoke-user',
          '/admin/',
          '/mcp/',
          '/MCP',
          '/callback/',
          '/register/',
        ),
        nasty.map((p) => `/${encodeURIComponent(p)}`),
      );
      await fc.assert(
        fc.asyncProperty(path, methods, nasty, async (p, method, authorization) => {
          const hasBody = method !== 'GET' && method !== 'HEAD';
          const response = await send('other paths', `${ORIGIN}${p}`, {
            method,
            headers: {
              Authorization: `Bearer ${authorization.replace(/[^\x21-\x7e]/g, '')}`,
              'Content-Type': 'application/json',
            },
            body: hasBody ? '{"email":"alice@example.com"}' : undefined,
          });
          if (p.startsWith('/admin')) expect(response.status).not.toBe(200);
        }),
        options,
      );
    },
  );
});

describe('fuzz: /mcp', () => {
  it('without a valid token: always 401, and nothing reaches the MCP server', { timeout: testTimeout }, async () => {
    const before = access.upstreamRequests.length;
    const [user, grant, secret] = validToken.split(':') as [string, string, string];
    const token = fc.oneof(
      fc.constant(undefined),
      nasty,
      mutate(validToken).filter((t) => t !== validToken),
      fc
        .tuple(mutate(user), mutate(grant), mutate(secret))
        .map((parts) => parts.join(':'))
        .filter((t) => t !== validToken),
      fc.constant(`${user}:${grant}:${'A'.repeat(secret.length)}`),
    );
    const scheme = fc.constantFrom('Bearer ', 'bearer ', 'Basic ', '', 'Bearer  ');
    await fc.assert(
      fc.asyncProperty(
        token,
        scheme,
        fc.oneof(
          jsonValue.map((v) => JSON.stringify(v)),
          nasty,
        ),
        async (t, s, body) => {
          const headers: Record<string, string> = {
            'Content-Type': 'application/json',
            Accept: 'application/json, text/event-stream',
          };
          if (t !== undefined) headers.Authorization = `${s}${t}`.replace(/[^\x20-\x7e]/g, '');
          const response = await send('/mcp without a valid token', MCP_URL, { method: 'POST', headers, body });
          expect([400, 401]).toContain(response.status);
        },
      ),
      options,
    );
    expect(access.upstreamRequests.length).toBe(before);
  });

  it('with a valid token: random and mutated JSON-RPC never gets a 5xx', { timeout: testTimeout }, async () => {
    const message = fc.record(
      {
        jsonrpc: fc.oneof(fc.constant('2.0'), nasty),
        id: fc.oneof(fc.integer(), fc.string(), fc.constant(null), jsonValue),
        method: fc.oneof(
          fc.constantFrom(
            'initialize',
            'tools/list',
            'tools/call',
            'resources/list',
            'resources/read',
            'prompts/get',
            'notifications/initialized',
            'ping',
          ),
          nasty,
        ),
        params: fc.oneof(
          fc.record(
            { name: fc.oneof(fc.constantFrom('echo', 'add'), nasty), arguments: jsonValue },
            { requiredKeys: [] },
          ),
          jsonValue,
        ),
      },
      { requiredKeys: [] },
    );
    const body = fc.oneof(
      message.map((m) => JSON.stringify(m)),
      fc.array(message, { maxLength: 40 }).map((m) => JSON.stringify(m)),
      mutate(
        JSON.stringify({
          jsonrpc: '2.0',
          id: 1,
          method: 'tools/call',
          params: { name: 'echo', arguments: { message: 'hi' } },
        }),
      ),
      nasty,
    );
    const headers = fc.record(
      {
        'Content-Type': contentTypes,
        Accept: fc.constantFrom(
          'application/json, text/event-stream',
          'application/json',
          'text/event-stream',
          '*/*',
          '',
        ),
        'Mcp-Method': nasty.map((v) => v.replace(/[^\x20-\x7e]/g, '')),
        'Mcp-Name': nasty.map((v) => v.replace(/[^\x20-\x7e]/g, '')),
        'Mcp-Session-Id': nasty.map((v) => v.replace(/[^\x21-\x7e]/g, '')),
        'Mcp-Protocol-Version': fc.constantFrom('2025-06-18', '2025-11-25', '2026-07-28', '1999-01-01'),
        Origin: fc.constantFrom(ORIGIN, 'https://evil.example', 'null'),
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(body, headers, fc.constantFrom('POST', 'GET', 'DELETE', 'PUT'), async (text, h, method) => {
        await send('/mcp with a valid token', MCP_URL, {
          method,
          headers: { ...h, Authorization: `Bearer ${validToken}` },
          body: method === 'GET' ? undefined : text,
        });
      }),
      options,
    );
  });

  it(
    'with a valid token: keys repeated or differing in case never make the server read what the gate did not decide',
    { timeout: testTimeout },
    async () => {
      const before = access.upstreamRequests.length;
      const rpc = (method: string, params: Entries): Entries => [
        ['jsonrpc', '2.0'],
        ['id', 1],
        ['method', method],
        ['params', params],
      ];
      // Calls bob may make, and what an attacker would rather have the server read.
      const bobMayCall = fc.constantFrom(
        rpc('tools/call', [
          ['name', 'echo'],
          ['arguments', [['message', 'hi']]],
        ]),
        rpc('tools/call', [
          ['name', 'get-structured-content'],
          ['arguments', [['location', 'Chicago']]],
        ]),
        rpc('resources/read', [['uri', 'demo://resource/static/document/a.md']]),
        rpc('tools/list', []),
      );
      const wanted: Record<string, Json> = {
        method: 'tools/call',
        params: [['name', 'get-env']],
        name: 'get-env',
        arguments: [['location', 'Paris']],
        location: 'Paris',
        uri: 'file:///etc/passwd',
      };
      // A spelling of a key that some decoder takes for it: case flips, Unicode folds, escapes, or the key itself.
      const spelling = (key: string) =>
        fc.oneof(
          fc.constant(key),
          fc
            .array(fc.boolean(), { minLength: key.length, maxLength: key.length })
            .map((upper) => Array.from(key, (char, index) => (upper[index] ? char.toUpperCase() : char)).join('')),
          fc.constant(key.replace(/k/g, '\u212A').replace(/s/g, '\u017F')),
          fc.constant(Array.from(key, (char) => String.fromCharCode(char.charCodeAt(0) + 0xfee0)).join('')),
          fc.nat({ max: key.length - 1 }).map((at) => ({ escaped: key, at })),
        );
      const attack = fc
        .tuple(bobMayCall, fc.nat(), fc.nat(), fc.boolean())
        .chain(([template, levelPick, keyPick, after]) => {
          const pickLevel = (entries: Entries) => {
            const levels = objectsIn(entries);
            return levels[levelPick % levels.length]!;
          };
          const level = pickLevel(template);
          const key = level[keyPick % level.length]![0] as string; // the templates spell every key plainly
          return spelling(key).map((variant) => {
            const mutated = structuredClone(template); // the templates are shared between runs
            const into = pickLevel(mutated);
            const at = into.findIndex(([name]) => name === key);
            into.splice(after ? at + 1 : at, 0, [variant, wanted[key] ?? 'x']);
            return writeJson(mutated);
          });
        });
      const readings: Reading[] = ['last-fold', 'first-exact', 'last-exact'];
      await fc.assert(
        // Mostly attacks, and now and then the clean call, so the check below sees forwarded bodies too.
        fc.asyncProperty(
          fc.oneof({ arbitrary: attack, weight: 5 }, { arbitrary: bobMayCall.map(writeJson), weight: 1 }),
          async (text) => {
            const seen = access.upstreamRequests.length;
            await send('/mcp, repeated and case-folded keys', MCP_URL, {
              method: 'POST',
              headers: {
                'Content-Type': 'application/json',
                Accept: 'application/json, text/event-stream',
                Authorization: `Bearer ${bobToken}`,
              },
              body: text,
            });
            if (access.upstreamRequests.length === seen) return;
            const forwarded = access.upstreamRequests.at(-1)!.body;
            const read = readings.map((reading) => {
              const at = (...path: string[]) => readAs(forwarded, path, reading);
              const decoded = {
                method: String(at('method')),
                params: {
                  name: at('params', 'name'),
                  uri: at('params', 'uri'),
                  arguments: { location: at('params', 'arguments', 'location') },
                },
              };
              return { decoded, allowed: decideRequest(toolPolicies, BOB, decoded).allowed };
            });
            const oneReading = new Set(read.map(({ decoded }) => JSON.stringify(decoded))).size === 1;
            if (!oneReading || read.some((one) => !one.allowed)) bypasses.push(`${text} -> ${forwarded}`);
          },
        ),
        options,
      );
      expect(bypasses, bypasses.slice(0, 5).join('\n')).toEqual([]);
      if (runs >= 20) expect(access.upstreamRequests.length).toBeGreaterThan(before); // the clean calls did get through
    },
  );
});

/** JSON with its objects as entry lists, so a key can appear twice or be written escaped. */
type Key = string | { escaped: string; at: number };
type Entries = [Key, Json][];
type Json = string | number | Entries;

/** The entry lists of a message a decision reads: the message, its params and their arguments. */
function objectsIn(message: Entries): Entries[] {
  const found: Entries[] = [message];
  const params = message.find(([key]) => key === 'params')?.[1];
  if (Array.isArray(params)) {
    if (params.length > 0) found.push(params);
    const args = params.find(([key]) => key === 'arguments')?.[1];
    if (Array.isArray(args) && args.length > 0) found.push(args);
  }
  return found;
}

function writeJson(value: Json): string {
  if (!Array.isArray(value)) return JSON.stringify(value);
  const members = value.map(([key, member]) => {
    const name =
      typeof key === 'string'
        ? JSON.stringify(key)
        : `"${key.escaped.slice(0, key.at)}\\u${key.escaped.charCodeAt(key.at).toString(16).padStart(4, '0')}${key.escaped.slice(key.at + 1)}"`;
    return `${name}:${writeJson(member)}`;
  });
  return `{${members.join(',')}}`;
}
