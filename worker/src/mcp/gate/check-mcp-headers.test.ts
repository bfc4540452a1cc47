import { describe, expect, it } from 'vitest';
import { checkMcpHeaders } from './check-mcp-headers.ts';

const call = (method: string, params: Record<string, unknown> = {}) => [
  { jsonrpc: '2.0' as const, id: 1, method, params },
];

describe('checkMcpHeaders', () => {
  it('accepts absent headers (2025-era clients send none)', () => {
    expect(checkMcpHeaders(new Headers(), call('tools/call', { name: 'echo' }))).toBeUndefined();
  });

  it('accepts headers that agree, also for resource URIs and Base64-encoded names', () => {
    expect(
      checkMcpHeaders(
        new Headers({ 'Mcp-Method': 'resources/read', 'Mcp-Name': 'demo://a' }),
        call('resources/read', { uri: 'demo://a' }),
      ),
    ).toBeUndefined();
    expect(
      checkMcpHeaders(
        new Headers({ 'Mcp-Method': 'tasks/get', 'Mcp-Name': 'task-1' }),
        call('tasks/get', { taskId: 'task-1' }),
      ),
    ).toBeUndefined();
    const encoded = `=?base64?${btoa(String.fromCharCode(...new TextEncoder().encode('café')))}?=`;
    expect(checkMcpHeaders(new Headers({ 'Mcp-Name': encoded }), call('tools/call', { name: 'café' }))).toBeUndefined();
  });

  it.each([
    [
      'a method that disagrees',
      { 'Mcp-Method': 'tools/list' },
      call('tools/call', { name: 'echo' }),
      /Mcp-Method says "tools\/list"/,
    ],
    ['a name that disagrees', { 'Mcp-Name': 'echo' }, call('tools/call', { name: 'get-env' }), /Mcp-Name says "echo"/],
    ['a name on a method without one', { 'Mcp-Name': 'echo' }, call('tools/list'), /not used with "tools\/list"/],
    ['a name when the body names nothing', { 'Mcp-Name': 'echo' }, call('tools/call'), /body names null/],
    ['headers on a batch', { 'Mcp-Method': 'ping' }, [...call('ping'), ...call('ping')], /batch/],
  ])('refuses %s', (_name, headers, messages, message) => {
    expect(checkMcpHeaders(new Headers(headers), messages)).toMatch(message);
  });
});
