import { env, runDurableObjectAlarm } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { MAX_PENDING_PER_PERSON } from './approval-desk.ts';
import type { ApprovalRequest } from './approval-record.ts';

// The real Durable Object, in workerd, one fresh desk per test (names are random).
const alice = { sub: 'alice-sub', email: 'alice@example.com', name: 'Alice' };
const carol = { sub: 'carol-sub', email: 'carol@example.com', groups: ['engineering', 'sre'] };
const dave = { sub: 'dave-sub', email: 'dave@example.com', groups: ['support'] };

function desk() {
  return env.APPROVAL_DESK!.getByName(`test:${crypto.randomUUID()}`);
}

function request(overrides: Partial<ApprovalRequest> = {}): ApprovalRequest {
  return {
    by: { group: 'sre' },
    rule: 'long-operations-need-sre',
    text: null,
    ttlMs: null,
    ask: 'url',
    caller: alice,
    clientId: 'client-1',
    clientName: 'Test Client',
    tool: 'trigger-long-running-operation',
    argumentsDigest: 'sha256:1',
    argumentsShown: 'duration: 1',
    expiresAt: Date.now() + 60_000,
    ...overrides,
  };
}

async function opened(stub: ReturnType<typeof desk>, overrides: Partial<ApprovalRequest> = {}) {
  const result = await stub.open(request(overrides));
  if (result.kind !== 'approval') throw new Error(`expected an approval, got ${result.kind}`);
  return result.approval;
}

describe('the approval desk', () => {
  it('wakes a waiting call the moment an approver of the group decides', async () => {
    const stub = desk();
    const approval = await opened(stub);
    const waiting = stub.wait(approval.id, alice.sub, Date.now() + 30_000);
    const decided = await stub.decide(approval.id, carol, 'approve');
    expect(decided).toMatchObject({
      approval: { status: 'approved', decidedBy: { email: 'carol@example.com' }, via: 'page' },
    });
    expect(await waiting).toMatchObject({ status: 'approved' });
  });

  it('never lets the caller approve their own call, nor someone outside the group', async () => {
    const stub = desk();
    const approval = await opened(stub, { caller: { sub: 'carol-sub', email: 'carol@example.com' } });
    expect(await stub.decide(approval.id, carol, 'approve')).toMatchObject({ refused: 'own-call' });
    // The same person under another sub (another identity provider) is still the caller.
    expect(await stub.decide(approval.id, { ...carol, sub: 'carol-other-sub' }, 'approve')).toMatchObject({
      refused: 'own-call',
    });
    expect(await stub.decide(approval.id, dave, 'approve')).toMatchObject({ refused: 'not-in-group' });
    expect(await stub.show(approval.id)).toMatchObject({ status: 'pending' });
  });

  it('lets only the caller decide a self-confirmation', async () => {
    const stub = desk();
    const approval = await opened(stub, { by: { self: true } });
    expect(await stub.decide(approval.id, carol, 'approve')).toMatchObject({ refused: 'not-yours' });
    expect(await stub.decide(approval.id, { ...alice, groups: [] }, 'approve')).toMatchObject({
      approval: { status: 'approved' },
    });
  });

  it('takes a form answer as the decision and a link answer only as consent to open it', async () => {
    const stub = desk();
    const form = await opened(stub, { by: { self: true }, ask: 'form' });
    expect(await stub.answer(form.id, alice.sub, 'accept')).toMatchObject({
      status: 'approved',
      via: 'client',
      decidedBy: { email: 'alice@example.com' },
    });
    const link = await opened(stub, { ask: 'url' });
    expect(await stub.answer(link.id, alice.sub, 'accept')).toMatchObject({ status: 'pending' });
    expect(await stub.answer(link.id, alice.sub, 'decline')).toMatchObject({ status: 'declined' });
    // An answer from someone else changes nothing.
    const other = await opened(stub, { by: { self: true }, ask: 'form' });
    expect(await stub.answer(other.id, 'mallory-sub', 'accept')).toMatchObject({ status: 'pending' });
  });

  it('runs an approval once: the second use finds it used', async () => {
    const stub = desk();
    const approval = await opened(stub);
    await stub.decide(approval.id, carol, 'approve');
    expect(await stub.use(approval.id, alice.sub)).toMatchObject({ status: 'used' });
    expect(await stub.use(approval.id, alice.sub)).toMatchObject({ status: 'used' });
    expect(await stub.use(approval.id, 'mallory-sub')).toBeUndefined();
  });

  it('covers the same person, tool and arguments for the ttl, and nothing else', async () => {
    const stub = desk();
    const approval = await opened(stub, { ttlMs: 60_000 });
    await stub.decide(approval.id, carol, 'approve');
    expect(await stub.open(request({ ttlMs: 60_000 }))).toMatchObject({
      kind: 'grant',
      grant: { approvalId: approval.id, decidedBy: { email: 'carol@example.com' } },
    });
    expect(await stub.open(request({ argumentsDigest: 'sha256:2' }))).toMatchObject({ kind: 'approval' });
    expect(await stub.open(request({ caller: { sub: 'bob-sub', email: 'bob@example.com' } }))).toMatchObject({
      kind: 'approval',
    });
  });

  it('expires an approval nobody decided, and tells its waiter', async () => {
    const stub = desk();
    const approval = await opened(stub, { expiresAt: Date.now() + 50 });
    expect(await stub.wait(approval.id, alice.sub, Date.now() + 30_000)).toMatchObject({ status: 'expired' });
    expect(await stub.decide(approval.id, carol, 'approve')).toMatchObject({ refused: 'not-pending' });
  });

  it('answers a waiter when its round ends with the approval still pending', async () => {
    const stub = desk();
    const approval = await opened(stub);
    expect(await stub.wait(approval.id, alice.sub, Date.now() + 20)).toMatchObject({ status: 'pending' });
    expect(await stub.wait(approval.id, 'mallory-sub', Date.now() + 20)).toBeUndefined();
  });

  it('holds at most a bounded number of waiting calls per person', async () => {
    const stub = desk();
    for (let index = 0; index < MAX_PENDING_PER_PERSON; index++)
      await opened(stub, { argumentsDigest: `sha256:${index}` });
    expect(await stub.open(request())).toMatchObject({ kind: 'refused' });
    expect(await stub.open(request({ caller: { sub: 'bob-sub', email: 'bob@example.com' } }))).toMatchObject({
      kind: 'approval',
    });
  });

  it('remembers a session’s elicitation modes, and forgets old records at its alarm', async () => {
    const stub = desk();
    await stub.rememberSession('session-1', ['form', 'url'], 60_000);
    expect(await stub.sessionModes('session-1')).toEqual(['form', 'url']);
    expect(await stub.sessionModes('session-2')).toBeUndefined();
    const approval = await opened(stub);
    await stub.withdraw(approval.id, alice.sub);
    expect(await stub.show(approval.id)).toMatchObject({ status: 'withdrawn' });
    // The alarm keeps what is still needed.
    await runDurableObjectAlarm(stub);
    expect(await stub.show(approval.id)).toMatchObject({ status: 'withdrawn' });
    expect(await stub.sessionModes('session-1')).toEqual(['form', 'url']);
  });
});
