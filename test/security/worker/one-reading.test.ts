/**
 * One reading of a message (docs/security.md 18): the policy gate decides on the keys it reads
 * exactly, and a server behind it may read the same text another way: Go's `encoding/json` matches
 * keys case-insensitively and keeps the last match; other decoders keep the first duplicate. Every
 * body below is decided one way by the gate and would be executed another way by such a server
 * (bob may call `echo` but not `get-env`, and `get-structured-content` only for two offices). Each
 * must be refused before anything reaches the server; what is forwarded must read the same to
 * every decoder.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { readAs, type Reading } from '../support/lenient-json.ts';
import { BOB, FakeAccess } from './fake-access.ts';
import { mcpRequest, signIn } from './browser.ts';

let access: FakeAccess;
let token: string;
beforeEach(async () => {
  access = await FakeAccess.start();
  access.idToken = (nonce) => access.sign({ ...BOB, nonce });
  token = (await signIn(access)).access_token;
});
afterEach(() => {
  vi.restoreAllMocks();
});

const head = '"jsonrpc":"2.0","id":7';
/** Attack bodies, by the level they work at; each is allowed as the gate reads it and denied as the server would. */
const attacks: Record<string, string> = {
  'message: Method beside method': `{${head},"method":"tools/list","Method":"tools/call","params":{"name":"get-env"}}`,
  'message: method twice (first wins elsewhere)': `{${head},"method":"tools/call","params":{"name":"get-env"},"method":"tools/list"}`,
  'message: a "response" carrying Method': `{${head},"Method":"tools/call","params":{"name":"get-env"},"result":{}}`,
  'message: Params beside params': `{${head},"method":"tools/call","params":{"name":"echo"},"Params":{"name":"get-env"}}`,
  'message: params twice': `{${head},"method":"tools/call","params":{"name":"get-env"},"params":{"name":"echo"}}`,
  'params: Name beside name': `{${head},"method":"tools/call","params":{"name":"echo","Name":"get-env"}}`,
  'params: NAME beside name': `{${head},"method":"tools/call","params":{"name":"echo","NAME":"get-env"}}`,
  'params: name twice': `{${head},"method":"tools/call","params":{"name":"get-env","name":"echo"}}`,
  'params: name twice, one escaped': `{${head},"method":"tools/call","params":{"name":"get-env","n\\u0061me":"echo"}}`,
  'params: URI beside uri': `{${head},"method":"resources/read","params":{"uri":"demo://resource/static/document/a.md","URI":"file:///etc/passwd"}}`,
  'arguments: Location beside location': `{${head},"method":"tools/call","params":{"name":"get-structured-content","arguments":{"location":"Chicago","Location":"Paris"}}}`,
  'arguments: LOCATION beside location': `{${head},"method":"tools/call","params":{"name":"get-structured-content","arguments":{"location":"Chicago","LOCATION":"Paris"}}}`,
  'arguments: location twice': `{${head},"method":"tools/call","params":{"name":"get-structured-content","arguments":{"location":"Paris","location":"Chicago"}}}`,
  'arguments: arguments twice': `{${head},"method":"tools/call","params":{"name":"get-structured-content","arguments":{"location":"Paris"},"arguments":{"location":"Chicago"}}}`,
  'batch: one clean message and one attack': `[{${head},"method":"tools/list"},{"jsonrpc":"2.0","id":8,"method":"tools/call","params":{"name":"echo","Name":"get-env"}}]`,
};

describe('one reading at the gate (docs/security.md 18)', () => {
  it.each(Object.entries(attacks))('%s: refused with 400, nothing reaches the server', async (_name, body) => {
    const response = await mcpRequest(token, { body });
    expect(response.status).toBe(400);
    const answer = await response.json<{ error: { code: number; message: string } }>();
    expect(answer.error.code).toBe(-32600);
    expect(answer.error.message).toMatch(/twice in one object|case-insensitive decoder|exact spelling/);
    expect(access.upstreamRequests).toHaveLength(0);
  });

  it('the server gets the gate’s serialization of what it decided, never the client’s text', async () => {
    const sent = `{ "jsonrpc" : "2.0", "id":7, "method":"tools/call",
      "params": {"name":"echo", "arguments": {"message":"h\\u0069", "nested": {"A": 1, "a": 2}}}}`;
    const response = await mcpRequest(token, { body: sent });
    expect(response.status).toBe(200);
    expect(access.upstreamRequests.at(-1)!.body).toBe(JSON.stringify(JSON.parse(sent)));
  });

  it('numbers JavaScript cannot hold exactly reach the server as the client wrote them', async () => {
    const sent = `{${head},"method":"tools/call","params":{"name":"echo","arguments":{"id":9007199254740993,"big":1e400,"tiny":1e-400,"money":1.10}}}`;
    expect((await mcpRequest(token, { body: sent })).status).toBe(200);
    const forwarded = access.upstreamRequests.at(-1)!.body;
    expect(forwarded).toContain('"id":9007199254740993');
    expect(forwarded).toContain('"big":1e400');
    expect(forwarded).toContain('"tiny":1e-400');
    expect(forwarded).toContain('"money":1.10');
  });

  it('whatever is forwarded reads the same to a case-insensitive, a first-wins and a last-wins decoder', async () => {
    const clean = [
      `{${head},"method":"tools/call","params":{"name":"echo","arguments":{"message":"hi"}}}`,
      `{${head},"method":"tools/call","params":{"name":"get-structured-content","arguments":{"location":"Chicago"}}}`,
      `[{${head},"method":"tools/list"},{"jsonrpc":"2.0","id":8,"method":"tools/call","params":{"name":"echo","arguments":{"message":"y","meta":{"A":1,"a":2}}}}]`,
    ];
    for (const body of [...clean, ...Object.values(attacks)]) await mcpRequest(token, { body });
    expect(access.upstreamRequests).toHaveLength(clean.length);
    const readings: Reading[] = ['last-fold', 'first-exact', 'last-exact'];
    for (const { body } of access.upstreamRequests) {
      const messages = body.startsWith('[') ? (JSON.parse(body) as unknown[]) : [JSON.parse(body)];
      messages.forEach((_message, index) => {
        const at = body.startsWith('[') ? [index] : [];
        for (const path of [['method'], ['params', 'name'], ['params', 'arguments', 'location']]) {
          const seen = readings.map((reading) => readAs(body, [...at, ...path], reading));
          expect(new Set(seen.map((value) => JSON.stringify(value))).size, `${path.join('.')} in ${body}`).toBe(1);
        }
      });
    }
  });
});
