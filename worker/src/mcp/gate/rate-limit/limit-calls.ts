/**
 * The rate-limit step of the gate: after the policy allowed every message of a request, each
 * `tools/call` whose deciding rule has a `rateLimit` takes one call from its counter. Over the
 * limit, the request is refused before anything reaches the server, with the rule and the time to
 * retry. A policy with limits but no counter configured fails closed.
 */
import type { RequestDecision } from '../../../../../policies/engine/decide-request.ts';
import { limitedCall, type LimitedCall } from '../../../../../policies/engine/rate-limits.ts';
import type { ToolPolicies } from '../../../../../policies/model/tool-policy.ts';
import { MemoryCallLog, takeCalls, type TakeAnswer } from './call-window.ts';

/** Counts one person's calls: the Durable Object in production, memory in tests and benchmarks. */
export interface CallLimiter {
  take(person: string, calls: Array<Pick<LimitedCall, 'key' | 'calls' | 'perMs'>>): Promise<TakeAnswer>;
}

/** A refused request: which message, the rule, and when to retry. */
export interface RateLimitRefusal {
  index: number;
  rule: string;
  reason: string;
  retryAfterSeconds: number;
}

/**
 * Takes the calls of a request from their counters; undefined when every call may go on.
 *
 * @example
 * ```ts
 * const refused = await limitCalls(policies, decisions, { person: user.sub, clientId, limiter });
 * ```
 */
export async function limitCalls(
  policies: ToolPolicies,
  decisions: readonly RequestDecision[],
  options: { person: string; clientId: string | null; limiter: CallLimiter | undefined },
): Promise<RateLimitRefusal | undefined> {
  const limited = decisions.flatMap((decision, index) => {
    const call = limitedCall(policies, decision, options.clientId);
    return call ? [{ index, call }] : [];
  });
  if (limited.length === 0) return undefined;
  if (!options.limiter) {
    const { index, call } = limited[0]!;
    return {
      index,
      rule: call.rule,
      reason: `rule "${call.rule}" limits ${call.describe}, and this gateway has no TOOL_RATE_LIMITER binding to count calls.`,
      retryAfterSeconds: 60,
    };
  }
  const answer = await options.limiter.take(
    options.person,
    limited.map(({ call }) => ({ key: call.key, calls: call.calls, perMs: call.perMs })),
  );
  if (answer.taken) return undefined;
  const { index, call } = limited[answer.index]!;
  const retryAfterSeconds = Math.ceil(answer.retryAfterMs / 1000);
  const tool = decisions[index]!.target?.name ?? '?';
  return {
    index,
    rule: call.rule,
    reason: `rule "${call.rule}" allows ${call.describe}, and tool ${tool} reached it; retry in ${retryAfterSeconds} s.`,
    retryAfterSeconds,
  };
}

/**
 * A limiter in memory with the Durable Object's counting, for tests and `npm run bench:policy`.
 *
 * @example
 * ```ts
 * let now = 0;
 * const limiter = memoryCallLimiter(() => now);
 * ```
 */
export function memoryCallLimiter(now: () => number = Date.now): CallLimiter {
  const logs = new Map<string, MemoryCallLog>();
  return {
    take: async (person, calls) => {
      let log = logs.get(person);
      if (!log) logs.set(person, (log = new MemoryCallLog()));
      return takeCalls(log, calls, now());
    },
  };
}
