/**
 * The policy gate's own cost on its heaviest routine call, `tools/list` with many tools under many
 * rules, measured inside this process so no network noise hides what the gate adds.
 */
import type { ToolPolicies, ToolRule } from '../../policies/model/tool-policy.ts';
import { runPolicyGate } from '../../worker/src/mcp/gate/policy-gate.ts';
import type { Pending } from '../report/results.ts';
import { summarizeLatency, type LatencySummary } from '../stats/latency-summary.ts';
import { TIMED_CALLS, WARM_UP_CALLS } from './sequential-latency.ts';

const TOOLS = 100;
const RULES = 50;

/** tools/list under a policy: the gated latency, and what the gate adds to the same call without it. */
export type PolicyListResult = Pending<{
  tools: number;
  rules: number;
  latency: LatencySummary;
  withoutGate: LatencySummary;
  where: string;
}>;

/**
 * `tools/list` with 100 tools under a 50-rule policy, through the Worker's own policy gate
 * (`runPolicyGate`: bounded read, header check, decision, list filtering, audit record) in
 * this process, with an in-memory upstream: only the gate's cost, no network. Same method as
 * every row: 1,000 warm-up, 200 timed sequential calls.
 *
 * @example
 * ```ts
 * const result = await measurePolicyList();
 * ```
 */
export async function measurePolicyList(): Promise<PolicyListResult> {
  const tools = Array.from({ length: TOOLS }, (_, i) => ({
    name: `${['list', 'get', 'admin', 'tool'][i % 4]}-${i}`,
    description: `Tool number ${i}, with a description of a usual length for a real server's tool.`,
    inputSchema: { type: 'object', properties: { value: { type: 'string' } } },
  }));
  const answer = JSON.stringify({ jsonrpc: '2.0', id: 1, result: { tools } });
  const upstream = {
    forward: async (request: Request) => (
      await request.text(),
      new Response(answer, { headers: { 'Content-Type': 'application/json' } })
    ),
  };
  const user = { sub: 'bench-user', email: 'bob@example.com', name: 'Bob', groups: ['support'] };
  const policies = fiftyRules();
  const gated = () =>
    runPolicyGate(listRequest(), {
      user,
      clientId: 'bench',
      policies,
      upstream,
      audit: (record) => void JSON.stringify(record),
    });
  const direct = () => upstream.forward(listRequest());

  const visible = ((await (await gated()).json()) as { result?: { tools: unknown[] } }).result?.tools.length;
  if (!visible || visible === TOOLS) {
    return {
      status: 'failed',
      reason: `the gate let ${visible ?? 0} of ${TOOLS} tools through; a filtered list was expected`,
    };
  }
  return {
    status: 'measured',
    tools: TOOLS,
    rules: policies.rules.length,
    latency: await time(gated),
    withoutGate: await time(direct),
    where: `in Node, runPolicyGate with an in-memory upstream; ${visible} of ${TOOLS} tools visible to the user`,
  };
}

async function time(call: () => Promise<Response>): Promise<LatencySummary> {
  for (let i = 0; i < WARM_UP_CALLS; i += 1) await (await call()).text();
  const samples: number[] = [];
  for (let i = 0; i < TIMED_CALLS; i += 1) {
    const start = performance.now();
    await (await call()).text();
    samples.push(performance.now() - start);
  }
  return summarizeLatency(samples);
}

function listRequest(): Request {
  return new Request('http://localhost:8788/mcp', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
  });
}

/** 50 rules of the kinds real policy files hold (deny rules, groups, emails, domains, globs, argument constraints); the ones that decide come last. */
function fiftyRules(): ToolPolicies {
  const rules: ToolRule[] = [];
  for (let i = 0; i < RULES - 2; i += 1) {
    const name = `rule-${i}`;
    switch (i % 4) {
      case 0:
        rules.push({ name, effect: 'deny', who: [{ group: `team-${i}` }], tools: [`admin-${i}*`] });
        break;
      case 1:
        rules.push({
          name,
          effect: 'allow',
          who: [{ group: `team-${i}` }, { email: `lead-${i}@example.com` }],
          tools: [`tool-${i}?`, 'get-*'],
        });
        break;
      case 2:
        rules.push({
          name,
          effect: 'allow',
          who: [{ emailDomain: `partner-${i}.example` }],
          tools: [`list-${i}*`],
          resources: [`demo://partner-${i}/*`],
        });
        break;
      default:
        rules.push({
          name,
          effect: 'allow',
          who: [{ group: 'support' }],
          tools: [`weather-${i}`],
          arguments: { city: { oneOf: ['Chicago', 'New York'] } },
        });
    }
  }
  rules.push({ name: 'support-denied-admin', effect: 'deny', who: [{ group: 'support' }], tools: ['admin-*'] });
  rules.push({
    name: 'support-lists-and-gets',
    effect: 'allow',
    who: [{ group: 'support' }],
    tools: ['list-*', 'get-*'],
  });
  return { unlistedMethods: 'deny', rules };
}
