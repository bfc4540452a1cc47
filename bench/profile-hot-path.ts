/**
 * `npm run bench:profile`: where the time of one proxied call goes in the local stack. Each
 * probe adds one stage to the one before, measured the same way as every benchmark row
 * (20 warm-up, 200 timed sequential requests, nearest-rank percentiles), with plain `fetch`
 * so no MCP client work is counted:
 *
 * 1. wrangler dev + Worker routing: the discovery document (no KV, no upstream);
 * 2. + the OAuth provider rejecting an unknown token (one KV read);
 * 3. + a valid token and the policy gate denying a call (token KV read, decision, audit);
 * 4. + the forward to the bridge and server-everything: a full `tools/call` of echo;
 * and the bridge alone (its own process) for the same call.
 * Prints a table and writes bench/results/hot-path.json.
 */
import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { obtainTokens } from '../dev/client/obtain-tokens.ts';
import { markdownTable } from './report/markdown.ts';
import { startHostedBridge, startHostedStack } from './stack/hosted-stack.ts';
import { summarizeLatency, type LatencySummary } from './stats/latency-summary.ts';
import { TIMED_CALLS, WARM_UP_CALLS } from './measure/sequential-latency.ts';
import { BENCH_USER } from './paths/whole-stack.ts';

const resultsFile = join(dirname(fileURLToPath(import.meta.url)), 'results', 'hot-path.json');
const mcpHeaders = { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream', 'MCP-Protocol-Version': '2025-06-18' };
const echoCall = JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'echo', arguments: { message: 'bench' } } });

/** Times `request` sequentially; every answer must have the expected status. */
async function probe(request: () => Promise<Response>, expectedStatus: number): Promise<LatencySummary> {
  const once = async () => {
    const response = await request();
    const body = await response.text();
    if (response.status !== expectedStatus) throw new Error(`expected HTTP ${expectedStatus}, got ${response.status}: ${body.slice(0, 200)}`);
  };
  for (let i = 0; i < WARM_UP_CALLS; i += 1) await once();
  const samples: number[] = [];
  for (let i = 0; i < TIMED_CALLS; i += 1) {
    const start = performance.now();
    await once();
    samples.push(performance.now() - start);
  }
  return summarizeLatency(samples);
}

/** Opens an MCP session with plain fetch; returns the headers every later request needs. */
async function openSession(url: string, extra: Record<string, string> = {}): Promise<Record<string, string>> {
  const initialize = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'bench-profile', version: '1.0.0' } } });
  const response = await fetch(url, { method: 'POST', headers: { ...mcpHeaders, ...extra }, body: initialize });
  await response.text();
  const sessionId = response.headers.get('mcp-session-id');
  if (!response.ok || !sessionId) throw new Error(`initialize at ${url} failed: HTTP ${response.status}`);
  const headers = { ...mcpHeaders, ...extra, 'Mcp-Session-Id': sessionId };
  await (await fetch(url, { method: 'POST', headers, body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) })).text();
  return headers;
}

const stages: Array<{ stage: string; latency: LatencySummary }> = [];
const bridge = await startHostedBridge();
try {
  const headers = await openSession(`${bridge.bridgeUrl}/mcp`);
  stages.push({ stage: 'bridge alone: tools/call echo', latency: await probe(() => fetch(`${bridge.bridgeUrl}/mcp`, { method: 'POST', headers, body: echoCall }), 200) });
} finally {
  await bridge.stop();
}

const stack = await startHostedStack();
try {
  const { access_token } = await obtainTokens(stack.mcpUrl, BENCH_USER);
  const auth = { Authorization: `Bearer ${access_token}` };
  const discovery = `${stack.workerUrl}/.well-known/oauth-authorization-server`;
  stages.push({ stage: '1. wrangler dev + Worker: discovery document', latency: await probe(() => fetch(discovery), 200) });
  stages.push({
    stage: '2. + OAuth provider: unknown token refused',
    latency: await probe(() => fetch(stack.mcpUrl, { method: 'POST', headers: { ...mcpHeaders, Authorization: 'Bearer a:b:c' }, body: echoCall }), 401),
  });
  const session = await openSession(stack.mcpUrl, auth);
  const denied = JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'get-env', arguments: {} } });
  const deniedProbe = async () => {
    const response = await fetch(stack.mcpUrl, { method: 'POST', headers: session, body: denied });
    return response;
  };
  const deniedStatus = (await deniedProbe().then(async (response) => (await response.text(), response.status)));
  stages.push({ stage: '3. + valid token, policy gate denies the call', latency: await probe(deniedProbe, deniedStatus) });
  stages.push({ stage: '4. + forward to the bridge: tools/call echo', latency: await probe(() => fetch(stack.mcpUrl, { method: 'POST', headers: session, body: echoCall }), 200) });
} finally {
  await stack.stop();
}

const ms = (value: number) => value.toFixed(2);
console.log(markdownTable(['stage', 'median ms', 'p90 ms', 'p99 ms'], stages.map(({ stage, latency }) => [stage, ms(latency.median), ms(latency.p90), ms(latency.p99)]), [false, true, true, true]));
await writeFile(resultsFile, `${JSON.stringify({ measuredAt: new Date().toISOString(), stages }, null, 2)}\n`);
