/**
 * `npm run bench`: the latency of server-everything's `echo`, called 200 times in a row
 * (after 20 warm-up calls) through the whole local stack and directly against the
 * bridge, on loopback. Prints median, p90 and p99 (nearest rank) for both paths.
 *
 * A first measurement for the walking skeleton; the benchmark suite grows from here.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { obtainTokens } from '../dev/client/obtain-tokens.ts';
import { startPrivateStack } from '../dev/stack/private-stack.ts';

const WARM_UP_CALLS = 20;
const TIMED_CALLS = 200;

/** Nearest-rank percentile of sorted samples. */
function percentile(sorted: number[], p: number): number {
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}

async function measureEcho(url: string, headers: Record<string, string> = {}): Promise<number[]> {
  const client = new Client({ name: 'secure-mcp-bench', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } }));
  try {
    const call = () => client.callTool({ name: 'echo', arguments: { message: 'bench' } });
    for (let i = 0; i < WARM_UP_CALLS; i += 1) await call();
    const samples: number[] = [];
    for (let i = 0; i < TIMED_CALLS; i += 1) {
      const start = performance.now();
      await call();
      samples.push(performance.now() - start);
    }
    return samples.sort((a, b) => a - b);
  } finally {
    await client.close();
  }
}

const stack = await startPrivateStack();
try {
  const { access_token } = await obtainTokens(stack.mcpUrl, 'alice@example.com');
  const rows = [
    { path: 'bridge alone (loopback HTTP -> stdio)', samples: await measureEcho(`${stack.bridge.url}/mcp`) },
    { path: 'whole local stack (wrangler dev -> bridge)', samples: await measureEcho(stack.mcpUrl, { Authorization: `Bearer ${access_token}` }) },
  ];
  console.log(`\necho latency, ${TIMED_CALLS} sequential calls after ${WARM_UP_CALLS} warm-up (ms)\n`);
  console.log('| path | median | p90 | p99 |\n| --- | ---: | ---: | ---: |');
  for (const { path, samples } of rows) {
    console.log(`| ${path} | ${percentile(samples, 50).toFixed(2)} | ${percentile(samples, 90).toFixed(2)} | ${percentile(samples, 99).toFixed(2)} |`);
  }
} finally {
  await stack.cleanup();
}
