/**
 * `npm run revoke-user -- <email> [--url <gateway origin>] [--second-sweep-after <seconds>]`:
 * offboarding. Revokes every grant of one user at the gateway (their MCP clients' access and
 * refresh tokens stop working, their open streams and calls end; Access then refuses them a new
 * sign-in once they are removed there). Then it waits for KV to carry the revocation everywhere
 * (60 s, as the gateway advises) and sweeps again, for a grant a refresh elsewhere wrote back
 * meanwhile (the revocation mark already makes such a grant useless; the second sweep deletes it).
 * `--second-sweep-after 0` sweeps again at once; Ctrl-C skips it.
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

const usage = 'usage: npm run revoke-user -- <email> [--url https://mcp.example.com] [--second-sweep-after <seconds>]';
let parsed;
try {
  parsed = parseArgs({
    options: { url: { type: 'string' }, 'second-sweep-after': { type: 'string' } },
    allowPositionals: true,
  });
} catch (error) {
  fail(`${(error as Error).message}\n${usage}`);
}
const { values, positionals } = parsed;
const email = positionals[0];
if (!email || positionals.length > 1 || !email.includes('@')) fail(usage);
const secondSweepOption = values['second-sweep-after'];
if (secondSweepOption !== undefined && !/^\d{1,4}$/.test(secondSweepOption))
  fail(`--second-sweep-after takes whole seconds, got ${JSON.stringify(secondSweepOption)}`);
let gateway: URL;
try {
  gateway = new URL(values.url ?? process.env.SECURE_MCP_URL ?? 'http://localhost:8788');
} catch {
  fail('--url must be the gateway origin, e.g. https://mcp.example.com');
}
const token = process.env.SECURE_MCP_ADMIN_TOKEN || (isLoopback(gateway) ? await localAdminToken() : undefined);
if (!token) fail("set SECURE_MCP_ADMIN_TOKEN to the Worker's ADMIN_TOKEN secret");

/** One sweep: the gateway writes the revocation mark and deletes every grant it finds. */
async function sweep(): Promise<{ revokedGrants: number; secondSweepAfterSeconds?: number }> {
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
  return JSON.parse(text) as { revokedGrants: number; secondSweepAfterSeconds?: number };
}

const grants = (count: number) => `${count} grant${count === 1 ? '' : 's'}`;
const first = await sweep();
process.stdout.write(`Revoked ${grants(first.revokedGrants)} of ${email.toLowerCase()} at ${gateway.origin}.\n`);
const waitSeconds = secondSweepOption !== undefined ? Number(secondSweepOption) : (first.secondSweepAfterSeconds ?? 0);
if (waitSeconds > 0) {
  process.stdout.write(
    `Sweeping again in ${waitSeconds} s, once KV has carried the revocation everywhere (Ctrl-C skips this; the revocation already holds).\n`,
  );
  await new Promise((resolve) => setTimeout(resolve, waitSeconds * 1000));
}
const second = await sweep();
process.stdout.write(`Second sweep: ${grants(second.revokedGrants)} more.\n`);
