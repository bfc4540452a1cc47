/**
 * `npm run revoke-user -- <email> [--url <gateway origin>]`: offboarding. Revokes every grant of
 * one user at the gateway (their MCP clients' access and refresh tokens stop working at once;
 * Access then refuses them a new sign-in once they are removed there).
 *
 * The gateway is `--url`, else `SECURE_MCP_URL`, else the local stack at http://localhost:8788.
 * The operator token is `SECURE_MCP_ADMIN_TOKEN` (the Worker's `ADMIN_TOKEN` secret; for a
 * deployment: `pulumi stack output adminToken --show-secrets`); for a local gateway it is read
 * from `worker/.dev.vars` when the variable is unset. Exit code 0 on success, 1 otherwise.
 */
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

function fail(message: string): never {
  process.stderr.write(`revoke-user: ${message}\n`);
  process.exit(1);
}

async function localAdminToken(): Promise<string | undefined> {
  const text = await readFile(join(repoRoot, 'worker', '.dev.vars'), 'utf8').catch(() => '');
  const line = text.split('\n').find((entry) => entry.startsWith('ADMIN_TOKEN='));
  return line ? (JSON.parse(line.slice('ADMIN_TOKEN='.length)) as string) : undefined;
}

function isLoopback(url: URL): boolean {
  return url.hostname === 'localhost' || url.hostname === '[::1]' || url.hostname.startsWith('127.');
}

const { values, positionals } = parseArgs({ options: { url: { type: 'string' } }, allowPositionals: true });
const email = positionals[0];
if (!email || positionals.length > 1 || !email.includes('@'))
  fail('usage: npm run revoke-user -- <email> [--url https://mcp.example.com]');
let gateway: URL;
try {
  gateway = new URL(values.url ?? process.env.SECURE_MCP_URL ?? 'http://localhost:8788');
} catch {
  fail('--url must be the gateway origin, e.g. https://mcp.example.com');
}
const token = process.env.SECURE_MCP_ADMIN_TOKEN || (isLoopback(gateway) ? await localAdminToken() : undefined);
if (!token) fail("set SECURE_MCP_ADMIN_TOKEN to the Worker's ADMIN_TOKEN secret");

let response: Response;
try {
  response = await fetch(new URL('/admin/revoke-user', gateway), {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ email }),
    signal: AbortSignal.timeout(30_000),
  });
} catch (error) {
  fail(`${gateway.origin} could not be reached (${(error as Error).message})`);
}
const text = await response.text();
if (!response.ok) fail(`${gateway.origin} answered ${response.status}: ${text.trim()}`);
const { revokedGrants } = JSON.parse(text) as { revokedGrants: number };
process.stdout.write(
  `Revoked ${revokedGrants} grant${revokedGrants === 1 ? '' : 's'} of ${email.toLowerCase()} at ${gateway.origin}.\n`,
);
