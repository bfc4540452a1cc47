import { describe, expect, it } from 'vitest';
import { foldedKeyCollision, foldKey } from './folded-key-collision.ts';

const call = (params: unknown, extra: Record<string, unknown> = {}) => ({
  jsonrpc: '2.0',
  id: 1,
  method: 'tools/call',
  params,
  ...extra,
});

describe('foldKey', () => {
  it('folds case, compatibility forms and the special folds of Go and .NET', () => {
    expect(foldKey('NAME')).toBe(foldKey('name'));
    expect(foldKey('\u212Aey')).toBe(foldKey('key')); // Kelvin sign
    expect(foldKey('ſecret')).toBe(foldKey('secret')); // long s
    expect(foldKey('ﬁle')).toBe(foldKey('file')); // ligature
    expect(foldKey('ｎａｍｅ')).toBe(foldKey('name')); // fullwidth
    expect(foldKey('name')).not.toBe(foldKey('names'));
  });
});

describe('foldedKeyCollision', () => {
  it.each([
    ['message level', { ...call({ name: 'echo' }), Method: 'tools/call' }],
    [
      'message level, a spelling of method in a "response"',
      { jsonrpc: '2.0', id: 1, Method: 'tools/call', result: {} },
    ],
    ['params level', call({ name: 'echo', Name: 'get-env' })],
    ['params level, Kelvin-sign key', call({ name: 'echo', arguments: {}, taskId: 'a', TASKID: 'b' })],
    ['params level, a lone variant spelling', call({ NAME: 'get-env' })],
    [
      'arguments level',
      call({ name: 'get-structured-content', arguments: { location: 'Chicago', Location: 'Paris' } }),
    ],
    ['arguments level, fullwidth', call({ name: 'x', arguments: { location: 'Chicago', ｌｏｃａｔｉｏｎ: 'Paris' } })],
    [
      'completion ref',
      {
        jsonrpc: '2.0',
        id: 1,
        method: 'completion/complete',
        params: { ref: { type: 'ref/prompt', name: 'a', NAME: 'b' } },
      },
    ],
    [
      'initialize capabilities',
      { jsonrpc: '2.0', id: 1, method: 'initialize', params: { capabilities: { Roots: {} } } },
    ],
    [
      '2026 client capabilities',
      call({ name: 'echo', _meta: { 'io.modelcontextprotocol/clientCapabilities': { ROOTS: {} } } }),
    ],
    ['a roots answer', { jsonrpc: '2.0', id: 1, result: { Roots: [{ uri: 'file:///' }] } }],
    ['a root', { jsonrpc: '2.0', id: 1, result: { roots: [{ uri: 'file:///srv', URI: 'file:///' }] } }],
    ['a 2026 roots answer', call({ name: 'echo', inputResponses: { 'ask-1': { roots: [{ Uri: 'file:///' }] } } })],
    // What the approval step reads (gate/approval/): the gateway's state, the answer, the revision, what a client can be asked.
    ['the approval state', call({ name: 'echo', requestState: 'gateway', RequestState: 'other' })],
    ['the approval state, a lone variant spelling', call({ name: 'echo', REQUESTSTATE: 'other' })],
    [
      'the answer to the approval question',
      call({ name: 'echo', inputResponses: { 'secure-mcp/approval': { action: 'decline', Action: 'accept' } } }),
    ],
    [
      'the call a cancellation names',
      { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 1, RequestId: 2 } },
    ],
    ['the 2026 revision', call({ name: 'echo', _meta: { 'IO.modelcontextprotocol/protocolVersion': '2026-07-28' } })],
    [
      'the elicitation capability',
      { jsonrpc: '2.0', id: 1, method: 'initialize', params: { capabilities: { elicitation: {}, Elicitation: {} } } },
    ],
  ])('refuses a collision at the %s', (_where, message) => {
    expect(foldedKeyCollision(message)).toBeTruthy();
  });

  it('names where and which keys', () => {
    expect(foldedKeyCollision(call({ name: 'echo', Name: 'get-env' }))).toBe(
      'params has the keys "name" and "Name", which a case-insensitive decoder reads as one',
    );
  });

  it('leaves data below the decided levels alone', () => {
    expect(
      foldedKeyCollision(call({ name: 'echo', arguments: { headers: { Accept: 'a', accept: 'b' } } })),
    ).toBeUndefined();
    expect(foldedKeyCollision({ jsonrpc: '2.0', id: 1, result: { content: [{ A: 1, a: 2 }] } })).toBeUndefined();
    expect(
      foldedKeyCollision(call({ name: 'echo', arguments: { message: 'hi' }, _meta: { progressToken: 1 } })),
    ).toBeUndefined();
  });
});
