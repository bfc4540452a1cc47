import { describe, expect, it } from 'vitest';
import { formatApprovalRef, parseApprovalRef } from './approval-ref.ts';

const secret = 'test-cookie-secret-0123456789abcdef0123';
const ref = { desk: 'c'.repeat(64), id: 'AbCdEfGhIjKlMnOpQrStUv' };

describe('approval addresses', () => {
  it('parse back to the approval they name', async () => {
    expect(await parseApprovalRef(await formatApprovalRef(ref, secret), secret)).toEqual(ref);
  });

  it('refuse a changed desk, a changed id, another key, and anything else', async () => {
    const text = await formatApprovalRef(ref, secret);
    expect(await parseApprovalRef(text.replace('ccc', 'ccd'), secret)).toBeUndefined();
    expect(await parseApprovalRef(text.replace('AbCd', 'AbCe'), secret)).toBeUndefined();
    expect(await parseApprovalRef(text, 'another-secret-0123456789abcdef012345')).toBeUndefined();
    for (const other of ['', 'x', `${ref.desk}.${ref.id}`, `${text}.x`, '../admin'])
      expect(await parseApprovalRef(other, secret)).toBeUndefined();
  });
});
