/**
 * Runs the MCP conformance suite's server scenarios (`@modelcontextprotocol/conformance`)
 * against one URL and reads back which checks passed, from the JSON files it writes.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const conformanceBin = join(
  createRequire(import.meta.url).resolve('@modelcontextprotocol/conformance/package.json'),
  '..',
  'dist',
  'index.js',
);

/** One check's outcome: `SUCCESS`, `FAILURE`, `WARNING`, …, and the runner's reason when it failed. */
interface CheckOutcome {
  status: string;
  errorMessage?: string;
}

/** `<scenario>/<check id>` → that check's outcome. */
export type ConformanceResults = Map<string, CheckOutcome>;

/**
 * Runs every active server scenario against `url`.
 *
 * @example
 * ```ts
 * const results = await runConformance('http://localhost:3001/mcp');
 * results.get('ping/ping'); // { status: 'SUCCESS' }
 * ```
 */
export async function runConformance(url: string): Promise<ConformanceResults> {
  const outputDir = await mkdtemp(join(tmpdir(), 'secure-mcp-conformance-'));
  try {
    // The runner exits non-zero when any scenario fails; the results files are what count.
    await run(process.execPath, [conformanceBin, 'server', '--url', url, '-o', outputDir], { timeout: 300_000 }).catch(
      () => {},
    );
    const results: ConformanceResults = new Map();
    for (const entry of await readdir(outputDir)) {
      // Folder names are `server-<scenario>-<timestamp>`.
      const scenario = entry.replace(/^server-/, '').replace(/-\d{4}-\d{2}-\d{2}T[\d-]+Z$/, '');
      const checks = JSON.parse(await readFile(join(outputDir, entry, 'checks.json'), 'utf8')) as Array<
        { id: string } & CheckOutcome
      >;
      for (const { id, status, errorMessage } of checks) results.set(`${scenario}/${id}`, { status, errorMessage });
    }
    return results;
  } finally {
    await rm(outputDir, { recursive: true, force: true });
  }
}

/** The checks of `results` that passed, sorted. */
export function passedChecks(results: ConformanceResults): string[] {
  return [...results]
    .filter(([, outcome]) => outcome.status === 'SUCCESS')
    .map(([check]) => check)
    .sort();
}
