/**
 * The gate's own question to the server: "what do you list now?", asked on the client's session
 * when a call names a tool or prompt this isolate has not seen listed recently. The server cannot
 * tell the probe from its client's own list request (same session, same headers, the same
 * 2026-07-28 `_meta` envelope, so the same capability-dependent tools), so it cannot show the
 * probe one definition and the client another.
 */
import { sseEventData } from '../sse-events.ts';

/** Pages followed at most; a server that pages forever is refused. */
const MAX_PAGES = 20;
const ENVELOPE_PREFIX = 'io.modelcontextprotocol/';

const LISTS = {
  tool: { method: 'tools/list', key: 'tools' },
  prompt: { method: 'prompts/list', key: 'prompts' },
} as const;

/**
 * Every entry of the server's tools or prompts list, all pages.
 *
 * @throws Error when the server answers with an error, an unreadable answer or too many pages.
 *
 * @example
 * ```ts
 * const tools = await probeList(request, message.params, 'tool', (probe) => upstream.forward(probe, user));
 * ```
 */
export async function probeList(
  original: Request,
  callParams: unknown,
  kind: keyof typeof LISTS,
  forward: (request: Request) => Promise<Response>,
): Promise<Record<string, unknown>[]> {
  const { method, key } = LISTS[kind];
  const headers = new Headers(original.headers);
  headers.delete('content-length');
  headers.delete('mcp-name');
  headers.set('content-type', 'application/json');
  headers.set('accept', 'application/json, text/event-stream');
  if (headers.has('mcp-method')) headers.set('mcp-method', method);
  const envelope = envelopeOf(callParams);
  const entries: Record<string, unknown>[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const id = `secure-mcp-probe-${crypto.randomUUID()}`;
    const params = { ...(envelope ? { _meta: envelope } : {}), ...(cursor ? { cursor } : {}) };
    const response = await forward(
      new Request(original.url, {
        method: 'POST',
        headers,
        body: JSON.stringify({ jsonrpc: '2.0', id, method, params }),
      }),
    );
    const answer = await answerWithId(response, id);
    if (!answer || typeof answer.result !== 'object' || answer.result === null) {
      throw new Error(`the server did not answer ${method} (HTTP ${response.status})`);
    }
    const result = answer.result as Record<string, unknown>;
    const list = result[key];
    if (Array.isArray(list))
      entries.push(...list.filter((entry): entry is Record<string, unknown> => typeof entry === 'object' && !!entry));
    cursor = typeof result.nextCursor === 'string' ? result.nextCursor : undefined;
    if (!cursor) return entries;
  }
  throw new Error(`the server's ${method} has more than ${MAX_PAGES} pages`);
}

/** The 2026-07-28 envelope keys of the call's `_meta` (protocol version, client capabilities). */
function envelopeOf(params: unknown): Record<string, unknown> | undefined {
  const meta = (params as { _meta?: unknown } | undefined)?._meta;
  if (typeof meta !== 'object' || meta === null) return undefined;
  const envelope = Object.entries(meta).filter(([name]) => name.startsWith(ENVELOPE_PREFIX));
  return envelope.length > 0 ? Object.fromEntries(envelope) : undefined;
}

/** The JSON-RPC answer with this id, from a JSON or an SSE body. */
async function answerWithId(response: Response, id: string): Promise<{ result?: unknown } | undefined> {
  const text = await response.text();
  const mediaType = (response.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  const candidates = mediaType === 'text/event-stream' ? sseEventData(text) : [text];
  for (const data of candidates) {
    try {
      const messages: unknown = JSON.parse(data);
      for (const message of Array.isArray(messages) ? messages : [messages]) {
        if (typeof message === 'object' && message !== null && (message as { id?: unknown }).id === id) {
          return message as { result?: unknown };
        }
      }
    } catch {
      // not JSON: another event
    }
  }
  return undefined;
}
