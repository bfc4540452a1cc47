import type { BodyLimits } from './body-limits.ts';
import { jsonDepth } from './json-depth.ts';
import { ERROR_CODES, type JsonRpcMessage } from './json-rpc.ts';
import { readBodyAtMost } from '../../read-body-at-most.ts';

/** A body that was read and understood, or why not (as an HTTP status and a JSON-RPC error). */
export type BodyReading =
  | { ok: true; messages: JsonRpcMessage[]; batch: boolean; text: string }
  | { ok: false; status: number; code: number; message: string };

/**
 * Reads a POST body as JSON-RPC within bounds: `application/json` only, at most
 * `maxBytes` (counted while streaming, so a lying or missing Content-Length changes
 * nothing), valid UTF-8, nesting at most `maxDepth`, a batch of 1..`maxBatch` messages,
 * each a JSON-RPC 2.0 object. Never throws for bad input.
 *
 * @example
 * ```ts
 * const body = await readJsonRpcBody(request, DEFAULT_BODY_LIMITS);
 * if (!body.ok) return jsonRpcErrorResponse(body.status, body.code, body.message);
 * ```
 */
export async function readJsonRpcBody(request: Request, limits: BodyLimits): Promise<BodyReading> {
  const mediaType = (request.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (mediaType !== 'application/json') {
    return refuse(415, ERROR_CODES.invalidRequest, 'Content-Type must be application/json');
  }
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (declared > limits.maxBytes) return tooLarge(limits);

  const bytes = await readBodyAtMost(request, limits.maxBytes);
  if (bytes === undefined) return tooLarge(limits);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return refuse(400, ERROR_CODES.parseError, 'The request body is not valid UTF-8');
  }
  if (jsonDepth(text, limits.maxDepth) > limits.maxDepth) {
    return refuse(400, ERROR_CODES.invalidRequest, `The request body nests deeper than ${limits.maxDepth} levels`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return refuse(400, ERROR_CODES.parseError, 'The request body is not valid JSON');
  }

  const batch = Array.isArray(parsed);
  const messages: unknown[] = batch ? (parsed as unknown[]) : [parsed];
  if (messages.length === 0) return refuse(400, ERROR_CODES.invalidRequest, 'An empty batch is not a JSON-RPC request');
  if (messages.length > limits.maxBatch) {
    return refuse(400, ERROR_CODES.invalidRequest, `A batch may hold at most ${limits.maxBatch} messages`);
  }
  if (!messages.every(isJsonRpcMessage))
    return refuse(
      400,
      ERROR_CODES.invalidRequest,
      'Every message must be a JSON-RPC 2.0 request, notification or response',
    );
  return { ok: true, messages, batch, text };
}

function isJsonRpcMessage(value: unknown): value is JsonRpcMessage {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const message = value as Record<string, unknown>;
  if (message.jsonrpc !== '2.0') return false;
  const id = message.id;
  const validId = id === undefined || id === null || typeof id === 'string' || typeof id === 'number';
  if (!validId) return false;
  if (typeof message.method === 'string')
    return message.params === undefined || (typeof message.params === 'object' && message.params !== null);
  return message.method === undefined && id !== undefined && ('result' in message || 'error' in message);
}

function tooLarge(limits: BodyLimits): BodyReading {
  return refuse(413, ERROR_CODES.invalidRequest, `The request body is larger than ${limits.maxBytes} bytes`);
}

function refuse(status: number, code: number, message: string): BodyReading {
  return { ok: false, status, code, message };
}
