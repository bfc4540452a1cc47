/**
 * The answer to a request over a rate limit: nothing reaches the server. The limited call gets a
 * JSON-RPC error naming the rule and when to retry (`data.retryAfterSeconds`, and a `Retry-After`
 * header for clients that read HTTP); in a batch, the other requests are answered as not run.
 */
import { ERROR_CODES, type JsonRpcMessage } from '../json-rpc.ts';
import type { RateLimitRefusal } from './limit-calls.ts';

/**
 * @example
 * ```ts
 * return rateLimitedResponse(messages, refusal, batch);
 * // { jsonrpc: '2.0', id: 3, error: { code: -32029, message: 'Rate limited: rule "support-read-only" allows …; retry in 42 s.', data: { decision: 'rate_limited', rule: 'support-read-only', retryAfterSeconds: 42 } } }
 * ```
 */
export function rateLimitedResponse(
  messages: readonly JsonRpcMessage[],
  refusal: RateLimitRefusal,
  batch: boolean,
): Response {
  const answers = messages.flatMap((message, index) => {
    if (message.id === undefined || message.method === undefined) return [];
    const error =
      index === refusal.index
        ? {
            code: ERROR_CODES.rateLimited,
            message: `Rate limited: ${refusal.reason}`,
            data: { decision: 'rate_limited', rule: refusal.rule, retryAfterSeconds: refusal.retryAfterSeconds },
          }
        : {
            code: ERROR_CODES.rateLimited,
            message: 'Not run: another message in this batch was rate limited',
            data: { decision: 'not_run' },
          };
    return [{ jsonrpc: '2.0', id: message.id, error }];
  });
  return Response.json(batch ? answers : answers[0], {
    headers: { 'Retry-After': String(refusal.retryAfterSeconds) },
  });
}
