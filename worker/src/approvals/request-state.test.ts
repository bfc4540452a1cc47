import { describe, expect, it } from 'vitest';
import { toBase64url } from '../base64url.ts';
import {
  isGatewayRequestState,
  mintRequestState,
  openRequestState,
  REQUEST_STATE_PREFIX,
  type ApprovalState,
} from './request-state.ts';

const secret = 'test-cookie-secret-0123456789abcdef0123';
const state: ApprovalState = {
  desk: 'a'.repeat(64),
  id: 'b'.repeat(22),
  sub: 'alice-sub',
  clientId: 'client-1',
  tool: 'deploy',
  argumentsDigest: 'sha256:1234',
  expiresAt: 2_000_000,
};
const call = { sub: 'alice-sub', clientId: 'client-1', tool: 'deploy', argumentsDigest: 'sha256:1234', now: 1_000_000 };

describe('the gateway requestState', () => {
  it('opens for the call it was minted for', async () => {
    const text = await mintRequestState(state, secret);
    expect(isGatewayRequestState(text)).toBe(true);
    expect(await openRequestState(text, secret, call)).toEqual({ ok: true, state });
  });

  it('refuses a signature changed only in the unused bits of its last character', async () => {
    const text = await mintRequestState(state, secret);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    // 32 bytes are 43 characters whose last carries 4 bits: the next letter decodes to the same bytes.
    const last = alphabet.indexOf(text.at(-1)!);
    expect(last % 4).toBe(0);
    const padded = `${text.slice(0, -1)}${alphabet[last + 1]}`;
    expect(await openRequestState(padded, secret, call)).toEqual({ ok: false, reason: 'forged' });
  });

  it('refuses a changed payload, a changed signature and another key', async () => {
    const text = await mintRequestState(state, secret);
    const [payload, mac] = text.slice(REQUEST_STATE_PREFIX.length).split('.') as [string, string];
    const widened = toBase64url(
      JSON.stringify(['a'.repeat(64), 'b'.repeat(22), 'alice-sub', 'client-1', 'deploy', 'sha256:1234', 9_999_999_999]),
    );
    expect(await openRequestState(`${REQUEST_STATE_PREFIX}${widened}.${mac}`, secret, call)).toEqual({
      ok: false,
      reason: 'forged',
    });
    const flipped = `${mac.slice(0, -2)}${mac.at(-2) === 'A' ? 'B' : 'A'}${mac.at(-1)}`;
    expect(await openRequestState(`${REQUEST_STATE_PREFIX}${payload}.${flipped}`, secret, call)).toEqual({
      ok: false,
      reason: 'forged',
    });
    expect(await openRequestState(text, 'another-secret-0123456789abcdef012345', call)).toEqual({
      ok: false,
      reason: 'forged',
    });
  });

  it('refuses it when expired, for another person, another client, another tool or other arguments', async () => {
    const text = await mintRequestState(state, secret);
    expect(await openRequestState(text, secret, { ...call, now: 2_000_000 })).toEqual({ ok: false, reason: 'expired' });
    expect(await openRequestState(text, secret, { ...call, sub: 'mallory-sub' })).toEqual({
      ok: false,
      reason: 'other-person',
    });
    expect(await openRequestState(text, secret, { ...call, clientId: 'client-2' })).toEqual({
      ok: false,
      reason: 'other-client',
    });
    expect(await openRequestState(text, secret, { ...call, tool: 'delete' })).toEqual({
      ok: false,
      reason: 'other-call',
    });
    expect(await openRequestState(text, secret, { ...call, argumentsDigest: 'sha256:5678' })).toEqual({
      ok: false,
      reason: 'other-call',
    });
  });

  it('refuses text that is not one of its states', async () => {
    for (const text of [
      '',
      'random-bridge-state',
      REQUEST_STATE_PREFIX,
      `${REQUEST_STATE_PREFIX}a.b.c`,
      `${REQUEST_STATE_PREFIX}!!.x`,
    ])
      expect((await openRequestState(text, secret, call)).ok).toBe(false);
    expect(isGatewayRequestState('l0Ng-random-bridge-state')).toBe(false);
  });
});
