/**
 * Which server-to-client requests a client can answer, from the capabilities it declared. A request
 * the client cannot answer is refused at once with a clear error, rather than sent and left unanswered.
 */
import { ErrorCode } from '@modelcontextprotocol/sdk/types.js';
import { JsonRpcError } from './initialized-child.ts';

/** The client capability each server-to-client request needs. */
const CAPABILITY_OF_METHOD: Record<string, string> = {
  'sampling/createMessage': 'sampling',
  'elicitation/create': 'elicitation',
  'roots/list': 'roots',
};

/**
 * The error for a server request the client did not declare it can answer, or `undefined` when it can
 * (or when the method needs no capability).
 *
 * @example
 * ```ts
 * refusalFor('sampling/createMessage', { elicitation: {} })?.message; // 'The client does not support sampling ...'
 * ```
 */
export function refusalFor(
  method: string,
  capabilities: Record<string, unknown> | undefined,
): JsonRpcError | undefined {
  const capability = CAPABILITY_OF_METHOD[method];
  if (capability === undefined || capabilities?.[capability] !== undefined) return undefined;
  return new JsonRpcError(
    ErrorCode.MethodNotFound,
    `The client does not support ${capability}: it did not declare the ${capability} capability`,
  );
}
