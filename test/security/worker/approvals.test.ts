/**
 * Attacks on approvals (docs/security.md 24): the approval page's sign-in, who may decide, and the
 * `requestState` a 2026-07-28 client carries between rounds. Each runs against the real Worker in
 * workerd, with the real ApprovalDesk, and fails if the attack works; the fake MCP server counts
 * what reaches it, and a call that waits must never reach it before someone approves it.
 */
import { createExecutionContext, env, SELF, waitOnExecutionContext } from 'cloudflare:test';
import worker from '../../../worker/src/index.ts';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ALICE, BOB, FakeAccess, MCP_URL, ORIGIN, type FakeUser } from './fake-access.ts';
import { Browser, signIn } from './browser.ts';

const CAROL: FakeUser = { sub: 'access-sub-carol', email: 'carol@example.com', groups: ['engineering', 'sre'] };
const DAVE: FakeUser = { sub: 'access-sub-dave', email: 'dave@example.com', groups: ['engineering'] };
const GROUP_TOOL = 'trigger-long-running-operation';
const CONFIRMED_TOOL = 'gzip-file-as-resource';

let access: FakeAccess;
beforeEach(async () => {
  access = await FakeAccess.start();
});
afterEach(() => {
  vi.restoreAllMocks();
});

/**
 * An MCP request through the real Worker, with pinned-definition checks in `warn` mode: the fake
 * server here lists no tools, and the pins are another requirement's business (23), tested apart.
 */
async function mcpRequest(token: string, init: { body: string; headers?: Record<string, string> }): Promise<Response> {
  const request = new Request(MCP_URL, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      Accept: 'application/json, text/event-stream',
      Authorization: `Bearer ${token}`,
      ...init.headers,
    },
    body: init.body,
  });
  const context = createExecutionContext();
  const response = await worker.fetch(request as Request<unknown, IncomingRequestCfProperties>, warnEnv, context);
  await waitOnExecutionContext(context);
  return response;
}
const warnEnv = { ...env, DEFINITION_DRIFT: 'warn' } as Cloudflare.Env;

/** A 2026-07-28 tools/call with the given client capabilities and round-trip fields. */
function modernCall(
  token: string,
  tool: string,
  args: Record<string, unknown>,
  extra: Record<string, unknown> = {},
  elicitation: unknown = { url: {} },
) {
  return mcpRequest(token, {
    headers: { 'Mcp-Method': 'tools/call', 'Mcp-Name': tool, 'MCP-Protocol-Version': '2026-07-28' },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/call',
      params: {
        name: tool,
        arguments: args,
        _meta: {
          'io.modelcontextprotocol/protocolVersion': '2026-07-28',
          'io.modelcontextprotocol/clientInfo': { name: 'attacker', version: '1' },
          'io.modelcontextprotocol/clientCapabilities': { elicitation },
        },
        ...extra,
      },
    }),
  });
}

const callsReached = (tool: string) =>
  access.upstreamRequests.filter((request) => request.body.includes(`"name":"${tool}"`)).length;

interface Asked {
  requestState: string;
  inputRequests?: Record<string, { params: { url?: string } }>;
}

/** alice's call of the group-approved tool: the state and the approval page it was given. */
async function aliceWaits(args: Record<string, unknown>) {
  const { access_token: token, clientId } = await signIn(access);
  const answer = await (await modernCall(token, GROUP_TOOL, args)).json<{ result: Asked }>();
  const pageUrl = answer.result.inputRequests!['secure-mcp/approval']!.params.url!;
  return { token, clientId, requestState: answer.result.requestState, pageUrl };
}

/** Signs `user` in on the approval page through the fake Access; returns the browser and the callback's answer. */
async function approverSignIn(pageUrl: string, user: FakeUser, browser = new Browser()) {
  const opened = await browser.fetch(pageUrl);
  expect(opened.status).toBe(302);
  const location = new URL(opened.headers.get('Location')!);
  const state = location.searchParams.get('state')!;
  access.lastNonce = location.searchParams.get('nonce')!;
  access.idToken = (nonce) => access.sign({ ...user, nonce });
  const back = await browser.fetch(
    `${ORIGIN}/callback?${new URLSearchParams({ code: 'access-code', state }).toString()}`,
  );
  return { browser, state, back };
}

async function decide(browser: Browser, pageUrl: string, decision: 'approve' | 'deny'): Promise<Response> {
  const page = await browser.fetch(pageUrl);
  const token = /name="token" value="([^"]+)"/.exec(await page.text())?.[1] ?? 'none';
  return browser.fetch(pageUrl, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ decision, token }).toString(),
  });
}

describe('the approval page’s sign-in (docs/security.md 1, 2)', () => {
  it('signs an approver in through Access, with PKCE and a nonce, and the decision lets the call run once', async () => {
    const { token, requestState, pageUrl } = await aliceWaits({ duration: 1, steps: 1 });
    expect(callsReached(GROUP_TOOL)).toBe(0);
    const { browser, back } = await approverSignIn(pageUrl, CAROL);
    expect(back.status).toBe(303);
    expect(back.headers.get('Location')).toBe(new URL(pageUrl).pathname);
    expect(access.tokenRequests.at(-1)!.get('code_verifier')).toBeTruthy();
    expect((await decide(browser, pageUrl, 'approve')).status).toBe(303);
    const retry = await modernCall(token, GROUP_TOOL, { duration: 1, steps: 1 }, { requestState });
    expect(await retry.json()).toMatchObject({ result: {} });
    expect(callsReached(GROUP_TOOL)).toBe(1);
  });

  it('refuses a forged state, a replayed state and a state from another browser', async () => {
    const { pageUrl } = await aliceWaits({ duration: 2, steps: 1 });
    const forged = await new Browser().fetch(
      `${ORIGIN}/callback?${new URLSearchParams({ code: 'c', state: 'approver.forged' }).toString()}`,
    );
    expect(forged.status).toBe(400);
    const { browser, state } = await approverSignIn(pageUrl, CAROL);
    const replayed = await browser.fetch(`${ORIGIN}/callback?${new URLSearchParams({ code: 'c', state }).toString()}`);
    expect(replayed.status).toBe(400);

    const victim = new Browser();
    const opened = await victim.fetch(pageUrl);
    const victimState = new URL(opened.headers.get('Location')!).searchParams.get('state')!;
    const requestsBefore = access.tokenRequests.length;
    const stolen = await new Browser().fetch(
      `${ORIGIN}/callback?${new URLSearchParams({ code: 'c', state: victimState }).toString()}`,
    );
    expect(stolen.status).toBe(400);
    expect(access.tokenRequests).toHaveLength(requestsBefore);
  });

  it('refuses an id_token with another nonce: no session, no decision', async () => {
    const { pageUrl } = await aliceWaits({ duration: 3, steps: 1 });
    const browser = new Browser();
    const opened = await browser.fetch(pageUrl);
    const state = new URL(opened.headers.get('Location')!).searchParams.get('state')!;
    access.idToken = () => access.sign({ ...CAROL, nonce: 'another-sign-in' });
    const back = await browser.fetch(`${ORIGIN}/callback?${new URLSearchParams({ code: 'c', state }).toString()}`);
    expect(back.status).toBe(401);
    expect(browser.cookies.has('__Host-secure-mcp-approver')).toBe(false);
  });

  it('a session cookie with a changed group is not a session', async () => {
    const { pageUrl } = await aliceWaits({ duration: 4, steps: 1 });
    const { browser } = await approverSignIn(pageUrl, BOB);
    const [payload, mac] = browser.cookies.get('__Host-secure-mcp-approver')!.split('.') as [string, string];
    const session = JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/'))) as { groups: string[] };
    const widened = btoa(JSON.stringify({ ...session, groups: ['sre'] }))
      .replace(/\+/g, '-')
      .replace(/\//g, '_')
      .replace(/=+$/, '');
    browser.cookies.set('__Host-secure-mcp-approver', `${widened}.${mac}`);
    expect((await browser.fetch(pageUrl)).status).toBe(302);
  });
});

describe('who may decide (docs/security.md 24)', () => {
  it('someone outside the group sees a refusal and cannot decide', async () => {
    const { pageUrl } = await aliceWaits({ duration: 5, steps: 1 });
    const { browser } = await approverSignIn(pageUrl, BOB);
    expect((await browser.fetch(pageUrl)).status).toBe(403);
    expect((await decide(browser, pageUrl, 'approve')).status).toBe(403);
    const { browser: carol } = await approverSignIn(pageUrl, CAROL);
    expect(await (await carol.fetch(pageUrl)).text()).toContain('Waiting for a decision');
    expect(callsReached(GROUP_TOOL)).toBe(0);
  });

  it('the caller cannot approve their own call, even in the group', async () => {
    const { pageUrl } = await aliceWaits({ duration: 6, steps: 1 });
    const { browser } = await approverSignIn(pageUrl, { ...ALICE, groups: ['engineering', 'sre'] });
    const page = await browser.fetch(pageUrl);
    expect(await page.text()).toContain('You cannot approve your own call.');
    expect((await decide(browser, pageUrl, 'approve')).status).toBe(403);
    const { browser: carol } = await approverSignIn(pageUrl, CAROL);
    expect(await (await carol.fetch(pageUrl)).text()).toContain('Waiting for a decision');
    expect(callsReached(GROUP_TOOL)).toBe(0);
  });

  it('a forged or altered page address finds nothing', async () => {
    const { pageUrl } = await aliceWaits({ duration: 7, steps: 1 });
    const { browser } = await approverSignIn(pageUrl, CAROL);
    const altered = pageUrl.replace(
      /\.([\w-])([\w-]{21})\./,
      (_, first: string, rest: string) => `.${first === 'A' ? 'B' : 'A'}${rest}.`,
    );
    expect((await browser.fetch(altered)).status).toBe(404);
    expect(
      (await browser.fetch(`${ORIGIN}/approvals/${'0'.repeat(64)}.${'A'.repeat(22)}.${'A'.repeat(43)}`)).status,
    ).toBe(404);
  });
});

describe('the requestState of a 2026-07-28 round (docs/security.md 24)', () => {
  async function confirmedCall() {
    const signedIn = await signIn(access);
    const first = await (
      await modernCall(signedIn.access_token, CONFIRMED_TOOL, { data: 'data:,x' }, {}, {})
    ).json<{ result: Asked }>();
    return { ...signedIn, requestState: first.result.requestState };
  }
  const accept = { inputResponses: { 'secure-mcp/approval': { action: 'accept' } } };

  it('runs the call once: a replay of the same state is refused', async () => {
    const { access_token: token, requestState } = await confirmedCall();
    expect(
      await (await modernCall(token, CONFIRMED_TOOL, { data: 'data:,x' }, { requestState, ...accept }, {})).json(),
    ).toMatchObject({ result: {} });
    expect(
      await (await modernCall(token, CONFIRMED_TOOL, { data: 'data:,x' }, { requestState, ...accept }, {})).json(),
    ).toMatchObject({ error: { code: -32602 } });
    expect(callsReached(CONFIRMED_TOOL)).toBe(1);
  });

  it('refuses a state used by another person, another client, for other arguments, or altered', async () => {
    const { access_token: token, requestState } = await confirmedCall();
    // Another engineer (bob's support group may not call the tool at all, so he would not even get this far).
    access.idToken = (nonce) => access.sign({ ...DAVE, nonce });
    const dave = await signIn(access);
    expect(
      await (
        await modernCall(dave.access_token, CONFIRMED_TOOL, { data: 'data:,x' }, { requestState, ...accept }, {})
      ).json(),
    ).toMatchObject({ error: { code: -32602 } });
    access.idToken = (nonce) => access.sign({ ...ALICE, nonce });
    const otherClient = await signIn(access);
    expect(
      await (
        await modernCall(otherClient.access_token, CONFIRMED_TOOL, { data: 'data:,x' }, { requestState, ...accept }, {})
      ).json(),
    ).toMatchObject({ error: { code: -32602 } });
    expect(
      await (await modernCall(token, CONFIRMED_TOOL, { data: 'data:,y' }, { requestState, ...accept }, {})).json(),
    ).toMatchObject({ error: { code: -32602 } });
    const altered = `${requestState.slice(0, 30)}${requestState[30] === 'A' ? 'B' : 'A'}${requestState.slice(31)}`;
    expect(
      await (
        await modernCall(token, CONFIRMED_TOOL, { data: 'data:,x' }, { requestState: altered, ...accept }, {})
      ).json(),
    ).toMatchObject({ error: { code: -32602 } });
    expect(callsReached(CONFIRMED_TOOL)).toBe(0);
  });

  it('a client answer to the gateway’s question names no approval of this person: nothing changes', async () => {
    const { access_token: token } = await signIn(access);
    const response = await mcpRequest(token, {
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: `secure-mcp-approval:${'0'.repeat(64)}.${'A'.repeat(22)}.${'A'.repeat(43)}`,
        result: { action: 'accept' },
      }),
    });
    expect(response.status).toBe(202);
    expect(access.upstreamRequests).toHaveLength(0);
  });
});

// The approval routes are on the Worker's public origin, not under the MCP resource.
it('the approval pages do not answer under /mcp', async () => {
  const response = await SELF.fetch(`${MCP_URL}/../approvals`);
  expect(response.status).not.toBe(200);
});
