import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { readConfig } from '../config.ts';
import { signFor } from './approval-keys.ts';
import { formatApprovalRef } from './approval-ref.ts';
import { ApprovalDesks } from './approval-desks.ts';
import type { ApprovalRequest } from './approval-record.ts';
import type { ApprovalDecisionRecord } from './approval-routes.ts';
import { serveApprovals } from './approval-routes.ts';
import { SESSION_COOKIE, type Approver } from './approver-sign-in.ts';
import { toBase64url } from '../base64url.ts';

// The approval pages with the real desk. Sessions are minted with the test key here; the sign-in
// through Access that mints them in real life is tested in test/security/worker/approvals.test.ts.
const config = readConfig(env);
const origin = 'http://localhost:8788';
const alice = { sub: 'alice-sub', email: 'alice@example.com', name: 'Alice Example' };
const carol: Approver = {
  sub: 'carol-sub',
  email: 'carol@example.com',
  name: 'Carol',
  groups: ['sre'],
  expiresAt: Date.now() + 3_600_000,
};
const dave: Approver = {
  sub: 'dave-sub',
  email: 'dave@example.com',
  name: 'Dave',
  groups: [],
  expiresAt: Date.now() + 3_600_000,
};
const aliceSession: Approver = { ...alice, groups: [], expiresAt: Date.now() + 3_600_000 };

async function sessionCookie(approver: Approver): Promise<string> {
  const payload = toBase64url(JSON.stringify(approver));
  return `${SESSION_COOKIE}=${payload}.${await signFor(config.cookieSecret, 'approver-session', payload)}`;
}

async function pending(overrides: Partial<ApprovalRequest> = {}) {
  const desks = new ApprovalDesks(env.APPROVAL_DESK!);
  const name = `group:sre-${crypto.randomUUID()}`;
  const { stub, desk } = desks.named(name);
  const opened = await stub.open({
    by: { group: 'sre' },
    rule: 'sre-approves',
    text: 'Deploys reach customers.',
    ttlMs: null,
    ask: 'url',
    caller: alice,
    clientId: 'client-1',
    clientName: 'Acme <Desktop>',
    tool: 'deploy',
    argumentsDigest: 'sha256:1',
    argumentsShown: 'env: "prod"\ntoken: «hidden: looks like a secret»',
    expiresAt: Date.now() + 60_000,
    ...overrides,
  });
  if (opened.kind !== 'approval') throw new Error('no approval');
  const ref = await formatApprovalRef({ desk, id: opened.approval.id }, config.cookieSecret);
  return { stub, id: opened.approval.id, path: `/approvals/${ref}` };
}

async function visit(
  path: string,
  init: RequestInit & { cookie?: string } = {},
  records: ApprovalDecisionRecord[] = [],
) {
  const headers = new Headers(init.headers);
  if (init.cookie) headers.set('Cookie', init.cookie);
  const response = await serveApprovals(new Request(`${origin}${path}`, { ...init, headers }), {
    env,
    config,
    approvalGroups: ['sre'],
    audit: (record) => records.push(record),
  });
  return response!;
}

function formToken(html: string): string {
  return /name="token" value="([^"]+)"/.exec(html)![1]!;
}

describe('the approval page', () => {
  it('sends a visitor without a session to Access, through the Worker’s one callback', async () => {
    const { path } = await pending();
    const response = await visit(path);
    expect(response.status).toBe(302);
    const location = new URL(response.headers.get('Location')!);
    expect(location.href.startsWith(config.access.authorizationUrl)).toBe(true);
    expect(location.searchParams.get('redirect_uri')).toBe(`${origin}/callback`);
    expect(location.searchParams.get('state')).toMatch(/^approver\./);
    expect(location.searchParams.get('code_challenge_method')).toBe('S256');
    expect(response.headers.get('Set-Cookie')).toMatch(
      /^__Host-secure-mcp-approver-sign-in=[0-9a-f]{64}; Path=\/; Max-Age=600; Secure; HttpOnly; SameSite=Lax$/,
    );
  });

  it('shows an approver who asks, the tool, the masked arguments, the client and the rule, escaped', async () => {
    const { path } = await pending();
    const response = await visit(path, { cookie: await sessionCookie(carol) });
    expect(response.status).toBe(200);
    expect(response.headers.get('Content-Security-Policy')).toContain("frame-ancestors 'none'");
    const html = await response.text();
    expect(html).toContain('Approve a call of &#34;deploy&#34;?');
    expect(html).toContain('Alice Example &lt;alice@example.com&gt;');
    expect(html).toContain('env: &#34;prod&#34;');
    expect(html).toContain('token: «hidden: looks like a secret»');
    expect(html).toContain('Acme &#60;Desktop&#62;');
    expect(html).toContain('Deploys reach customers.');
    expect(html).toContain('value="approve"');
  });

  it('approves on a post with the page’s token, once, and records who and when', async () => {
    const { path, stub, id } = await pending();
    const cookie = await sessionCookie(carol);
    const token = formToken(await (await visit(path, { cookie })).text());
    const records: ApprovalDecisionRecord[] = [];
    const post = (decision: string) =>
      visit(
        path,
        {
          method: 'POST',
          cookie,
          headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ decision, token }).toString(),
        },
        records,
      );
    const approved = await post('approve');
    expect(approved.status).toBe(303);
    expect(await stub.show(id)).toMatchObject({ status: 'approved', decidedBy: { email: 'carol@example.com' } });
    expect(records[0]).toMatchObject({
      event: 'approval_decision',
      decision: 'approved',
      decidedBy: { email: 'carol@example.com', groups: ['sre'] },
      caller: { email: 'alice@example.com' },
      tool: 'deploy',
    });
    // A second post changes nothing: it is decided.
    await post('deny');
    expect(await stub.show(id)).toMatchObject({ status: 'approved' });
    expect(records[1]).toMatchObject({ decision: 'refused', reason: 'already approved' });
    expect(await (await visit(path, { cookie })).text()).toContain('Approved</span> by carol@example.com');
  });

  it('never lets the caller approve their own call, nor someone outside the group, and records the attempt', async () => {
    const { path, stub, id } = await pending();
    const own = await visit(path, { cookie: await sessionCookie(aliceSession) });
    expect(own.status).toBe(200);
    const ownHtml = await own.text();
    expect(ownHtml).toContain('You cannot approve your own call.');
    expect(ownHtml).not.toContain('value="approve"');
    const outsider = await visit(path, { cookie: await sessionCookie(dave) });
    expect(outsider.status).toBe(403);
    expect(await outsider.text()).toContain('Only members of the group');

    // A hand-made post from the caller, with a token of their own session, is refused by the desk.
    const cookie = await sessionCookie(aliceSession);
    const token = await signFor(
      config.cookieSecret,
      'approver-form',
      `${cookie.split('=').slice(1).join('=')}\n${path.split('/').at(-1)!.split('.').slice(0, 2).join('.')}`,
    );
    const records: ApprovalDecisionRecord[] = [];
    const response = await visit(
      path,
      {
        method: 'POST',
        cookie,
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ decision: 'approve', token }).toString(),
      },
      records,
    );
    expect(response.status).toBe(403);
    expect(records[0]).toMatchObject({ decision: 'refused', reason: 'own-call' });
    expect(await stub.show(id)).toMatchObject({ status: 'pending' });
  });

  it('refuses a post without the page’s token, with another session’s token, or without a session', async () => {
    const { path, stub, id } = await pending();
    const cookie = await sessionCookie(carol);
    const form = (token: string) => ({
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ decision: 'approve', token }).toString(),
    });
    expect((await visit(path, { ...form('made-up'), cookie })).status).toBe(403);
    const otherSessionToken = formToken(
      await (await visit(path, { cookie: await sessionCookie({ ...carol, expiresAt: carol.expiresAt + 1 }) })).text(),
    );
    expect((await visit(path, { ...form(otherSessionToken), cookie })).status).toBe(403);
    expect((await visit(path, form(formToken(await (await visit(path, { cookie })).text())))).status).toBe(302);
    expect(await stub.show(id)).toMatchObject({ status: 'pending' });
  });

  it('answers a forged or altered address with 404, and a forged session with a sign-in', async () => {
    const { path } = await pending();
    const cookie = await sessionCookie(carol);
    expect((await visit(`${path.slice(0, -3)}abc`, { cookie })).status).toBe(404);
    expect((await visit('/approvals/not-an-approval', { cookie })).status).toBe(404);
    const [name, value] = cookie.split('=') as [string, string];
    const forgedSession = `${name}=${toBase64url(JSON.stringify({ ...carol, groups: ['sre', 'admins'] }))}.${value.split('.')[1]}`;
    expect((await visit(path, { cookie: forgedSession })).status).toBe(302);
    const expired = await sessionCookie({ ...carol, expiresAt: Date.now() - 1 });
    expect((await visit(path, { cookie: expired })).status).toBe(302);
  });

  it('lists the calls waiting for the groups an approver approves for', async () => {
    const desks = new ApprovalDesks(env.APPROVAL_DESK!);
    const { stub } = desks.named('group:sre');
    const opened = await stub.open({
      by: { group: 'sre' },
      rule: 'sre-approves',
      text: null,
      ttlMs: null,
      ask: 'none',
      caller: alice,
      clientId: null,
      clientName: null,
      tool: 'deploy-listed',
      argumentsDigest: 'sha256:9',
      argumentsShown: '(no arguments)',
      expiresAt: Date.now() + 60_000,
    });
    expect(opened.kind).toBe('approval');
    const html = await (await visit('/approvals', { cookie: await sessionCookie(carol) })).text();
    expect(html).toContain('<strong>deploy-listed</strong></a> by alice@example.com');
    expect(html).toMatch(/href="\/approvals\/[0-9a-f]{64}\.[\w-]{22}\.[\w-]{43}"/);
    const outsider = await (await visit('/approvals', { cookie: await sessionCookie(dave) })).text();
    expect(outsider).not.toContain('deploy-listed');
    expect(outsider).toContain('You are in no group that approves calls.');
  });
});
