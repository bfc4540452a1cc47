/**
 * Writes the Worker's local secrets where wrangler reads them, readable by their owner only, so
 * `npm run dev` never leaves a secret in the repository or in a world-readable file.
 */
import { chmod, writeFile } from 'node:fs/promises';

/**
 * Writes the Worker's local secrets and settings as a dotenv file (`.dev.vars`), readable
 * by its owner only. The file is git-ignored; wrangler loads it with `--env-file`.
 *
 * @example
 * ```ts
 * await writeDevVars('worker/.dev.vars', { ACCESS_CLIENT_SECRET: 's3cret' });
 * ```
 */
export async function writeDevVars(path: string, vars: Record<string, string>): Promise<void> {
  const lines = Object.entries(vars).map(([name, value]) => {
    if (!/^[A-Z][A-Z0-9_]*$/.test(name)) throw new Error(`Invalid variable name for .dev.vars: ${name}`);
    return `${name}=${JSON.stringify(value)}`;
  });
  const header = '# Written by `npm run dev` (dev/launcher.ts). Local only, git-ignored; rewritten at every start.\n';
  await writeFile(path, `${header}${lines.join('\n')}\n`, { mode: 0o600 });
  await chmod(path, 0o600);
}
