/**
 * Reads a request body so that no input, however large, deep, malformed or readable two ways
 * (keys that repeat or differ only in case), can crash the gate or reach the policy decision
 * half-understood.
 */
import type { BodyLimits } from './body-limits.ts';
import { foldedKeyCollision } from './folded-key-collision.ts';
import { scanJsonText } from './json-scan.ts';
import { ERROR_CODES, type JsonRpcMessage } from './json-rpc.ts';
import { readBodyAtMost } from '../../read-body-at-most.ts';

/**
 * A body that was read and understood, or why not (as an HTTP status and a JSON-RPC error, and the
 * rule the audit names: `bounded-input`, or `one-reading` for a body parsers could read two ways).
 */
export type BodyReading =
  | { ok: true; messages: JsonRpcMessage[]; batch: boolean }
  | { ok: false; status: number; code: number; message: string; rule: 'bounded-input' | 'one-reading' };

// JSON.parse source text access (TC39 stage 4; V8 in workerd and Node 22+), not yet in TypeScript's lib.
declare global {
  interface JSON {
    rawJSON(text: string): unknown;
  }
}

/**
 * Reads a POST body as JSON-RPC within bounds: `application/json` only, at most
 * `maxBytes` (counted while streaming, so a lying or missing Content-Length changes
 * nothing), valid UTF-8, nesting at most `maxDepth`, a batch of 1..`maxBatch` messages,
 * each a JSON-RPC 2.0 object. And with one reading (docs/security.md 18): no object repeats
 * a key, and no level the gate decides on has keys that collide after case folding. Numbers
 * that would change on re-serialization (`9007199254740993`, `1e400`) are kept as written,
 * since the gate forwards its own serialization of what it decided, never the raw text.
 * Never throws for bad input.
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
  const scan = scanJsonText(text, limits.maxDepth);
  if (scan.depth > limits.maxDepth) {
    return refuse(400, ERROR_CODES.invalidRequest, `The request body nests deeper than ${limits.maxDepth} levels`);
  }
  let parsed: unknown;
  try {
    parsed = scan.inexactNumbers ? JSON.parse(text, keepNumbersAsWritten) : JSON.parse(text);
  } catch {
    return refuse(400, ERROR_CODES.parseError, 'The request body is not valid JSON');
  }
  if (scan.duplicateKey !== undefined) {
    return refuse(
      400,
      ERROR_CODES.invalidRequest,
      `The request body has the key ${JSON.stringify(scan.duplicateKey)} twice in one object; parsers disagree on which one counts`,
      'one-reading',
    );
  }

  const batch = Array.isArray(parsed);
  const messages: unknown[] = batch ? (parsed as unknown[]) : [parsed];
  if (messages.length === 0) return refuse(400, ERROR_CODES.invalidRequest, 'An empty batch is not a JSON-RPC request');
  if (messages.length > limits.maxBatch) {
    return refuse(400, ERROR_CODES.invalidRequest, `A batch may hold at most ${limits.maxBatch} messages`);
  }
  for (const message of messages) {
    const collision = foldedKeyCollision(message);
    if (collision) return refuse(400, ERROR_CODES.invalidRequest, `Refused: ${collision}`, 'one-reading');
  }
  if (!messages.every(isJsonRpcMessage))
    return refuse(
      400,
      ERROR_CODES.invalidRequest,
      'Every message must be a JSON-RPC 2.0 request, notification or response',
    );
  return { ok: true, messages, batch };
}

/** A `JSON.parse` reviver that keeps a number `JSON.stringify` would write differently as its source text. */
function keepNumbersAsWritten(_key: string, value: unknown, context?: { source?: string }): unknown {
  if (typeof value !== 'number' || context?.source === undefined) return value;
  return JSON.stringify(value) === context.source ? value : JSON.rawJSON(context.source);
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

function refuse(
  status: number,
  code: number,
  message: string,
  rule: 'bounded-input' | 'one-reading' = 'bounded-input',
): BodyReading {
  return { ok: false, status, code, message, rule };
}
