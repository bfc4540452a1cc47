/**
 * Which rate limit applies to a decided tool call, and the counter it is counted on. The limit is
 * the one of the allow rule that decided the call (the first allow rule in the file that allows
 * it), counted per person and tool (and per client with `perClient`). Pure: the counting itself
 * is the Worker's (worker/src/mcp/gate/rate-limit/).
 */
import type { RateLimit, ToolPolicies } from '../model/tool-policy.ts';
import type { RequestDecision } from './decide-request.ts';

/** One counter to take a call from: at most `calls` in any window of `perMs`. */
export interface LimitedCall {
  /** The rule whose limit this is (named in the refusal and the audit record). */
  rule: string;
  /** Names the counter: rule, tool and, with `perClient`, the client; the person is the counter's owner. */
  key: string;
  calls: number;
  perMs: number;
  /** The policy's words, for messages: `5 calls per 1m`. */
  describe: string;
}

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/**
 * A duration of the policy files in milliseconds.
 *
 * @example
 * ```ts
 * durationMs('90s'); // 90000
 * ```
 */
export function durationMs(duration: string): number {
  const match = /^(\d+)(s|m|h|d)$/.exec(duration);
  if (!match) return Number.NaN;
  return Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
}

/**
 * The limit a decided `tools/call` is counted against, or undefined when its rule has none.
 *
 * @example
 * ```ts
 * limitedCall(policies, decision, 'client-1');
 * // { rule: 'support-read-only', key: 'support-read-only\ntool get-sum\n', calls: 30, perMs: 60000, describe: '30 calls per 1m per person and tool' }
 * ```
 */
export function limitedCall(
  policies: ToolPolicies,
  decision: RequestDecision,
  clientId: string | null,
): LimitedCall | undefined {
  if (!decision.allowed || decision.target?.kind !== 'tool') return undefined;
  const limit = rateLimitOf(policies, decision.rule);
  if (!limit) return undefined;
  const client = limit.perClient ? (clientId ?? '') : '';
  return {
    rule: decision.rule,
    key: `${decision.rule}\n${decision.target.name}\n${client}`,
    calls: limit.calls,
    perMs: durationMs(limit.per),
    describe: describeRateLimit(limit),
  };
}

/** The rate limit of the rule with this name, if it has one. */
export function rateLimitOf(policies: ToolPolicies, rule: string): RateLimit | undefined {
  return policies.rules.find((candidate) => candidate.name === rule)?.rateLimit;
}

/**
 * A limit in words.
 *
 * @example
 * ```ts
 * describeRateLimit({ calls: 5, per: '1m', perClient: true }); // '5 calls per 1m per person, tool and client'
 * ```
 */
export function describeRateLimit(limit: RateLimit): string {
  const per = limit.perClient ? 'person, tool and client' : 'person and tool';
  return `${limit.calls} call${limit.calls === 1 ? '' : 's'} per ${limit.per} per ${per}`;
}
