/**
 * Refuses a request whose MCP headers say something other than its body, because the gateway
 * decides on the body while something further on might act on the headers.
 */
import type { JsonRpcMessage } from './json-rpc.ts';

/** The param that `Mcp-Name` mirrors, per method (MCP 2026-07-28, and the tasks binding). */
const NAME_PARAM: Record<string, 'name' | 'uri' | 'taskId'> = {
  'tools/call': 'name',
  'prompts/get': 'name',
  'resources/read': 'uri',
  'tasks/get': 'taskId',
  'tasks/update': 'taskId',
  'tasks/cancel': 'taskId',
};

/**
 * Checks `Mcp-Method` and `Mcp-Name` against the body when a client sends them
 * (MCP 2026-07-28): the gateway decides on the body, and a server or a proxy further
 * on might act on the headers, so the two must say the same thing. Returns the
 * mismatch in words, or `undefined` when they agree or are absent.
 *
 * @example
 * ```ts
 * checkMcpHeaders(new Headers({ 'Mcp-Method': 'tools/list' }), [{ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'x' } }]);
 * // 'Mcp-Method says "tools/list" but the body calls "tools/call"'
 * ```
 */
export function checkMcpHeaders(headers: Headers, messages: readonly JsonRpcMessage[]): string | undefined {
  const methodHeader = headers.get('mcp-method');
  const nameHeader = headers.get('mcp-name');
  if (methodHeader === null && nameHeader === null) return undefined;
  if (messages.length !== 1) return 'Mcp-Method and Mcp-Name describe one message; a batch cannot carry them';
  const message = messages[0]!;

  if (methodHeader !== null && methodHeader !== message.method) {
    return `Mcp-Method says ${JSON.stringify(methodHeader)} but the body calls ${JSON.stringify(message.method ?? null)}`;
  }
  if (nameHeader !== null) {
    const param = message.method && Object.hasOwn(NAME_PARAM, message.method) ? NAME_PARAM[message.method] : undefined;
    if (!param) return `Mcp-Name is not used with ${JSON.stringify(message.method ?? null)}`;
    const params = (message.params ?? {}) as Record<string, unknown>;
    const bodyName = params[param];
    if (decodeHeaderValue(nameHeader) !== bodyName) {
      return `Mcp-Name says ${JSON.stringify(nameHeader)} but the body names ${JSON.stringify(bodyName ?? null)}`;
    }
  }
  return undefined;
}

/** Header values that are not plain ASCII travel Base64-encoded as `=?base64?…?=`. */
function decodeHeaderValue(value: string): string | undefined {
  const encoded = /^=\?base64\?(.*)\?=$/i.exec(value);
  if (!encoded) return value;
  try {
    const bytes = Uint8Array.from(atob(encoded[1]!), (char) => char.charCodeAt(0));
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return undefined;
  }
}
