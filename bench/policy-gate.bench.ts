/**
 * What the policy gate adds to one `/mcp` request at 50 tool rules: the same requests
 * go once straight to an in-memory upstream and once through `runPolicyGate` (bounded
 * read, header check, decision, list filtering, argument digest, audit record built
 * and serialised), and the difference of the medians is the gate's cost. In Node, on
 * the same code the Worker runs; no network, so only the gate is measured.
 *
 * The rows with pins check every listed tool against its pinned digest (policies/inventory.yaml's
 * job) and every call against the session's ledger; the row with a rate limit counts the call with
 * the same sliding-window code the ToolRateLimiter Durable Object runs, over memory: the Durable
 * Object's round trip itself is not in this figure (it is in the whole stack, `npm run bench`).
 * Target (issue 15): a call under a rate limit adds under 0.2 ms to the median.
 *
 *   npm run bench:policy            (ITERATIONS=20000 to change the sample size)
 */
import { definitionDigest } from '../policies/definitions/definition-digest.ts';
import { DefinitionLedger } from '../worker/src/mcp/gate/drift/definition-ledger.ts';
import { memoryCallLimiter } from '../worker/src/mcp/gate/rate-limit/limit-calls.ts';
import type { ToolPolicies, ToolRule } from '../policies/model/tool-policy.ts';
import { runPolicyGate } from '../worker/src/mcp/gate/policy-gate.ts';

const ITERATIONS = Number(process.env.ITERATIONS ?? 10_000);
const WARMUP = 1_000;

/** 50 rules (49 + the one that decides) in the shapes real files use: deny rules, groups, emails, globs, argument constraints. */
function fiftyRules(): ToolPolicies {
  const rules: ToolRule[] = [];
  for (let index = 0; index < 49; index++) {
    const kind = index % 5;
    if (kind === 0)
      rules.push({
        name: `deny-${index}`,
        effect: 'deny',
        who: [{ group: `team-${index}` }],
        tools: [`admin-${index}-*`],
      });
    else if (kind === 1)
      rules.push({
        name: `group-${index}`,
        effect: 'allow',
        who: [{ group: `team-${index}` }, { email: `lead-${index}@example.com` }],
        tools: [`tool-${index}-*`, 'get-*'],
      });
    else if (kind === 2)
      rules.push({
        name: `domain-${index}`,
        effect: 'allow',
        who: [{ emailDomain: `partner-${index}.example` }],
        tools: [`partner-${index}-?`],
        resources: [`demo://partner-${index}/*`],
      });
    else if (kind === 3)
      rules.push({
        name: `args-${index}`,
        effect: 'allow',
        who: [{ group: 'support' }],
        tools: [`weather-${index}`],
        arguments: { city: { oneOf: ['Chicago', 'New York'] } },
      });
    else
      rules.push({
        name: `prompts-${index}`,
        effect: 'allow',
        who: [{ group: `team-${index}` }],
        prompts: [`prompt-${index}-*`],
      });
  }
  // The rule that decides comes last, so every request walks all of them.
  rules.push({ name: 'support-echo', effect: 'allow', who: [{ group: 'support' }], tools: ['echo', 'list-*'] });
  return { unlistedMethods: 'deny', rules };
}

/** The same policy, with a rate limit on the rule that decides. */
function fiftyRulesWithLimit(): ToolPolicies {
  const { unlistedMethods, rules } = fiftyRules();
  const last = rules.at(-1)!;
  return { unlistedMethods, rules: [...rules.slice(0, -1), { ...last, rateLimit: { calls: 1_000, per: '1m' } }] };
}

const policies = fiftyRules();
const user = { sub: 'bob-sub', email: 'bob@example.com', name: 'Bob', groups: ['support'] };
const tools = Array.from({ length: 20 }, (_, index) => ({
  name: index % 2 === 0 ? `list-${index}` : `admin-${index}`,
  description: 'x'.repeat(200),
  inputSchema: { type: 'object' },
}));

const echoTool = { name: 'echo', description: 'Echoes', inputSchema: { type: 'object' } };
const pins = {
  tool: Object.fromEntries([...tools, echoTool].map((tool) => [tool.name, definitionDigest(tool)])),
  resourceTemplate: {},
  prompt: {},
};
const limitedPolicies = fiftyRulesWithLimit();
// A new person per request keeps each counter below its limit: the row measures counting, not refusing.
let person = 0;
const limiter = memoryCallLimiter();

const scenarios = {
  'tools/call (allowed, JSON answer)': {
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/call',
      params: { name: 'echo', arguments: { message: 'hello world' } },
    }),
    answer: () =>
      Response.json({ jsonrpc: '2.0', id: 1, result: { content: [{ type: 'text', text: 'Echo: hello world' }] } }),
  },
  'tools/list (20 tools, SSE answer, filtered)': {
    body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }),
    answer: () =>
      new Response(`event: message\ndata: ${JSON.stringify({ jsonrpc: '2.0', id: 2, result: { tools } })}\n\n`, {
        headers: { 'Content-Type': 'text/event-stream' },
      }),
  },
};

function request(body: string): Request {
  return new Request('http://localhost:8788/mcp', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' },
    body,
  });
}

async function time(run: () => Promise<Response>): Promise<number[]> {
  const samples: number[] = [];
  for (let index = 0; index < WARMUP + ITERATIONS; index++) {
    const started = performance.now();
    await (await run()).text();
    if (index >= WARMUP) samples.push(performance.now() - started);
  }
  return samples.sort((a, b) => a - b);
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

console.log(
  `policy gate overhead, ${policies.rules.length} tool rules, ${ITERATIONS} requests per row (Node ${process.version})`,
);
console.log('scenario                                       direct median   gated median   added median   added p99');
const variants = [
  { label: '', pinned: false, limited: false },
  { label: ' + pins', pinned: true, limited: false },
  { label: ' + pins + limit', pinned: true, limited: true },
];
const added: Record<string, number> = {};
for (const [name, scenario] of Object.entries(scenarios))
  for (const variant of variants) {
    if (variant.limited && !name.startsWith('tools/call')) continue;
    const upstream = { forward: async (forwarded: Request) => (await forwarded.text(), scenario.answer()) };
    const ledger = new DefinitionLedger();
    // The session's ledger knows echo, as after the client's first tools/list.
    ledger.record('bob-sub\u0000', 'tool', new Map([['echo', { status: 'pinned' }]]), {
      complete: true,
      now: Date.now(),
    });
    const direct = await time(() => upstream.forward(request(scenario.body)));
    const gated = await time(() =>
      runPolicyGate(request(scenario.body), {
        user: variant.limited ? { ...user, sub: `bob-${person++}` } : user,
        clientId: 'bench',
        policies: variant.limited ? limitedPolicies : policies,
        upstream,
        rateLimiter: limiter,
        ...(variant.pinned ? { definitions: { pins, mode: 'hide' as const, ledger } } : {}),
        audit: (record) => void JSON.stringify(record),
      }),
    );
    const row = `${name}${variant.label}`;
    added[row] = quantile(gated, 0.5) - quantile(direct, 0.5);
    const fmt = (ms: number) => `${(ms * 1000).toFixed(0).padStart(8)} µs`;
    console.log(
      `${row.padEnd(46)} ${fmt(quantile(direct, 0.5))}    ${fmt(quantile(gated, 0.5))}   ${fmt(added[row])}   ${fmt(quantile(gated, 0.99) - quantile(direct, 0.99))}`,
    );
  }
const limitedRow = added['tools/call (allowed, JSON answer) + pins + limit']!;
console.log(
  `\ntarget: a call under a rate limit adds under 0.2 ms to the median: ${(limitedRow * 1000).toFixed(0)} µs, ${limitedRow < 0.2 ? 'met' : 'NOT met'}`,
);
