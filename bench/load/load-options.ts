/**
 * The command line of `npm run load`, read apart from the run, so a mistyped duration or client
 * count is refused with a sentence before any stack starts.
 */
import { parseArgs } from 'node:util';

/** What `npm run load` runs. */
export interface LoadOptions {
  /** How long the clients call, in seconds. */
  durationSeconds: number;
  /** Signed-in clients calling at once, each on its own session. */
  clients: number;
}

/**
 * Reads `--duration` (seconds, or with a unit: `90s`, `2m`; default 2 minutes) and
 * `--clients` (default 64). Throws an error that says what is wrong. Pure.
 *
 * @example
 * ```ts
 * parseLoadOptions(['--duration', '30s']); // { durationSeconds: 30, clients: 64 }
 * ```
 */
export function parseLoadOptions(argv: readonly string[]): LoadOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: { duration: { type: 'string', default: '2m' }, clients: { type: 'string', default: '64' } },
    strict: true,
  });
  const match = /^(\d+(?:\.\d+)?)(s|m)?$/.exec(values.duration.trim());
  const durationSeconds = match ? Number(match[1]) * (match[2] === 'm' ? 60 : 1) : Number.NaN;
  if (!(durationSeconds >= 1 && durationSeconds <= 24 * 3600)) {
    throw new Error(`--duration must be a time from 1s to 24h, like 120, 90s or 2m; got "${values.duration}"`);
  }
  const clients = /^\d+$/.test(values.clients) ? Number(values.clients) : Number.NaN;
  if (!(clients >= 1 && clients <= 256))
    throw new Error(`--clients must be a whole number from 1 to 256; got "${values.clients}"`);
  return { durationSeconds, clients };
}
