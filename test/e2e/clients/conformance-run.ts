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

/** The runner crashed, timed out, or left a scenario without results: no check it reports can be trusted. */
export class ConformanceRunError extends Error {
  override name = 'ConformanceRunError';
}

/** The longest one run may take; the whole suite takes a few seconds here. */
const RUN_TIMEOUT_MS = 300_000;

/**
 * Runs every active server scenario against `url`. Throws {@link ConformanceRunError} when the
 * runner did not finish normally: killed or timed out, an exit code other than 0 (all passed) or
 * 1 (some check failed), no summary, or a scenario in its summary without a results file.
 *
 * @example
 * ```ts
 * const results = await runConformance('http://localhost:3001/mcp');
 * results.get('ping/ping'); // { status: 'SUCCESS' }
 * ```
 */
export async function runConformance(url: string, options: { timeoutMs?: number } = {}): Promise<ConformanceResults> {
  const timeoutMs = options.timeoutMs ?? RUN_TIMEOUT_MS;
  const outputDir = await mkdtemp(join(tmpdir(), 'secure-mcp-conformance-'));
  try {
    const finished = await run(process.execPath, [conformanceBin, 'server', '--url', url, '-o', outputDir], {
      timeout: timeoutMs,
      maxBuffer: 64 * 1024 * 1024,
    }).then(
      (done) => ({ code: 0, signal: null, stdout: done.stdout, stderr: done.stderr }),
      (failed: {
        code?: unknown;
        signal?: NodeJS.Signals | null;
        killed?: boolean;
        stdout?: string;
        stderr?: string;
      }) => ({
        code: typeof failed.code === 'number' ? failed.code : undefined,
        signal: failed.killed ? (failed.signal ?? 'SIGTERM') : (failed.signal ?? null),
        stdout: failed.stdout ?? '',
        stderr: failed.stderr ?? '',
      }),
    );
    const { code, signal, stdout, stderr } = finished;
    const tail = `\n--- runner output (end) ---\n${`${stdout}\n${stderr}`.slice(-3000)}`;
    if (signal)
      throw new ConformanceRunError(
        `the conformance runner was stopped (${signal}), after ${timeoutMs} ms at most${tail}`,
      );
    if (code !== 0 && code !== 1)
      throw new ConformanceRunError(`the conformance runner exited with ${String(code)}${tail}`);
    const summary = stdout.split('=== SUMMARY ===')[1];
    if (summary === undefined) throw new ConformanceRunError(`the conformance runner printed no summary${tail}`);
    const summarized = [...summary.matchAll(/^[✓✗] ([\w-]+): (\d+) passed, (\d+) failed$/gm)].map(
      ([, scenario]) => scenario!,
    );
    if (summarized.length === 0)
      throw new ConformanceRunError(`the conformance runner's summary lists no scenario${tail}`);

    const results: ConformanceResults = new Map();
    const withResults = new Set<string>();
    for (const entry of await readdir(outputDir)) {
      // Folder names are `server-<scenario>-<timestamp>`.
      const scenario = entry.replace(/^server-/, '').replace(/-\d{4}-\d{2}-\d{2}T[\d-]+Z$/, '');
      const checks = JSON.parse(await readFile(join(outputDir, entry, 'checks.json'), 'utf8')) as Array<
        { id: string } & CheckOutcome
      >;
      withResults.add(scenario);
      for (const { id, status, errorMessage } of checks) results.set(`${scenario}/${id}`, { status, errorMessage });
    }
    const missing = summarized.filter((scenario) => !withResults.has(scenario));
    if (missing.length > 0)
      throw new ConformanceRunError(`the conformance runner left no results for ${missing.join(', ')}${tail}`);
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
