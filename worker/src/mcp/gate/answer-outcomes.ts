/**
 * Lets the audit record say whether a call succeeded, which only the server's answer knows,
 * without holding the answer back: outcomes are noted as the stream passes.
 */
import type { AuditRecord } from './audit-record.ts';
import { isCall, type JsonRpcMessage } from './json-rpc.ts';

type Outcome = { outcome: AuditRecord['outcome']; errorCode: number | null };

/**
 * Remembers how the server answered each request id while its answer streams past, so
 * each audit record can say `ok` or `error` (with the code). Requests the server sends
 * to the client (same shape, own id space) are not answers and are ignored.
 *
 * @example
 * ```ts
 * const outcomes = new AnswerOutcomes();
 * outcomes.observe({ jsonrpc: '2.0', id: 1, error: { code: -32602, message: 'bad' } });
 * outcomes.outcomeOf({ jsonrpc: '2.0', id: 1, method: 'tools/call' }, 200); // { outcome: 'error', errorCode: -32602 }
 * ```
 */
export class AnswerOutcomes {
  readonly #answers = new Map<string | number, Outcome>();

  /** Looks at one message (or a batch) from the server. */
  observe(message: unknown): void {
    for (const answer of Array.isArray(message) ? message : [message]) {
      if (typeof answer !== 'object' || answer === null || 'method' in answer) continue;
      const { id, error } = answer as { id?: unknown; error?: { code?: unknown } };
      if (typeof id !== 'string' && typeof id !== 'number') continue;
      this.#answers.set(
        id,
        error
          ? { outcome: 'error', errorCode: typeof error.code === 'number' ? error.code : null }
          : { outcome: 'ok', errorCode: null },
      );
    }
  }

  /**
   * The outcome of one message the client sent, given the HTTP status of the answer and,
   * when the answer ended early, why (`client_closed`, `upstream_error`).
   */
  outcomeOf(message: JsonRpcMessage, status: number, ending?: AuditRecord['outcome']): Outcome {
    if (status >= 500) return { outcome: 'upstream_error', errorCode: null };
    const answer =
      isCall(message) && (typeof message.id === 'string' || typeof message.id === 'number')
        ? this.#answers.get(message.id)
        : undefined;
    if (answer) return answer;
    // A 4xx without a per-id answer (e.g. an unknown session) is still a failed request.
    return { outcome: ending ?? (status >= 400 ? 'error' : 'forwarded'), errorCode: null };
  }
}
