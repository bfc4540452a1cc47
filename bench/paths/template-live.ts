/**
 * Cloudflare's template shape (`OAuthProvider` + `McpAgent`, bench/template-shape/) run live in the
 * same benchmark run as our Worker, under `wrangler dev` and in workerd as deployed, signed in at an
 * Access stand-in of its own. This machine's speed varies about 2× between runs, so the targets that
 * compare with the template compare with this run's template, never with figures of another run.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { obtainTokens } from '../../dev/client/obtain-tokens.ts';
import { startAccessStandIn } from '../../dev/access-standin/index.ts';
import { loadDevUsers } from '../../dev/access-standin/users.ts';
import { writeDevVars } from '../../dev/stack/dev-vars.ts';
import { findFreePort } from '../../dev/stack/ports.ts';
import { startDirectWorkerd } from '../../dev/stack/direct-workerd.ts';
import { startWranglerDev } from '../../dev/stack/wrangler-dev.ts';
import { accessPolicies } from '../../policies/access.ts';
import { writeCountingWrapper } from '../measure/operation-counts.ts';
import { ADD_CALL, type EchoPath } from './echo-path.ts';
import { buildTemplateDeployBundle, TEMPLATE_CONFIG } from './template-bundle.ts';
import { templateCallbackUrl, templateEnvVars } from './template-env.ts';
import { BENCH_USER, connectWithToken } from './whole-stack.ts';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The template's Access application, in its own stand-in. */
const TEMPLATE_ACCESS_CLIENT_ID = 'template-shape';

/** The template row's labels, by how its Worker runs. */
export const TEMPLATE_LABELS = {
  'wrangler-dev': 'Cloudflare template shape (OAuthProvider + McpAgent, `add`, wrangler dev)',
  workerd: 'Cloudflare template shape (`add`, workerd as deployed)',
} as const;

/**
 * Cloudflare's Access template, live: the template-shape Worker (`OAuthProvider` + `McpAgent`
 * with its `add` tool, `bench/template-shape/`) under `wrangler dev` the way our Worker runs
 * (`startWranglerDev`), or with `runtime: 'workerd'` as `wrangler deploy` would upload it, in
 * workerd without wrangler's proxy (`startDirectWorkerd`, its Durable Objects in an isolate of
 * their own as on Cloudflare); signed in at an Access stand-in of its own as {@link BENCH_USER}.
 * Every client reuses the one token on a session of its own, so, as `McpAgent` does, one
 * Durable Object per session. Everything runs on free ports, with state in a temporary folder.
 * `inspectorPort` (workerd only) opens a DevTools inspector for CPU profiles, and `countOperations`
 * runs the bundle inside the operation-counting wrapper (`../measure/operation-counts.ts`).
 *
 * @example
 * ```ts
 * const path = await templateLivePath();
 * try { await (await path.openClient()).call(); } finally { await path.stop(); }
 * ```
 */
export async function templateLivePath(
  options: { runtime?: 'wrangler-dev' | 'workerd'; inspectorPort?: number; countOperations?: boolean } = {},
): Promise<
  EchoPath & {
    wranglerPid: number;
    workerUrl: string;
    inspectorPort?: number;
    workerMain?: string;
    traceSizesUrl?: string;
  }
> {
  const runtime = options.runtime ?? 'wrangler-dev';
  const stateDir = await mkdtemp(join(tmpdir(), 'secure-mcp-template-'));
  const stops: Array<() => Promise<void>> = [() => rm(stateDir, { recursive: true, force: true })];
  const stop = async () => {
    for (const step of stops.reverse()) await step().catch(() => {});
    stops.length = 0;
  };
  try {
    const workerPort = await findFreePort();
    const workerUrl = `http://localhost:${workerPort}`;
    const clientSecret = randomBytes(32).toString('base64url');
    const access = await startAccessStandIn({
      port: 0,
      clientId: TEMPLATE_ACCESS_CLIENT_ID,
      clientSecret,
      redirectUris: [templateCallbackUrl(workerUrl)],
      users: await loadDevUsers(join(repoRoot, 'dev', 'users.json')),
      policies: accessPolicies,
    });
    stops.push(() => access.close());

    const envFile = join(stateDir, 'template.env');
    await writeDevVars(
      envFile,
      templateEnvVars(workerUrl, access, { id: TEMPLATE_ACCESS_CLIENT_ID, secret: clientSecret }),
    );
    const worker =
      runtime === 'workerd'
        ? await startDirectWorkerd({
            port: workerPort,
            config: TEMPLATE_CONFIG,
            main: await buildTemplateDeployBundle(join(stateDir, 'bundle'), join(stateDir, 'wrangler-config')).then(
              (main) => (options.countOperations ? writeCountingWrapper(main) : main),
            ),
            envFile,
            persistTo: join(stateDir, 'workerd-state'),
            inspectorPort: options.inspectorPort,
            objectsApart: true,
            traceSizes: options.countOperations,
            onOutput: process.env.SECURE_MCP_VERBOSE === '1' ? (line) => console.log(`[template] ${line}`) : undefined,
          })
        : await startWranglerDev({
            port: workerPort,
            config: TEMPLATE_CONFIG,
            envFile,
            persistTo: join(stateDir, 'wrangler-state'),
            configHome: join(stateDir, 'wrangler-config'),
          });
    stops.push(() => worker.stop());

    const mcpUrl = `${workerUrl}/mcp`;
    const { access_token } = await obtainTokens(mcpUrl, BENCH_USER);
    return {
      id: runtime === 'workerd' ? 'template-workerd' : 'template',
      label: TEMPLATE_LABELS[runtime],
      openClient: () => connectWithToken(mcpUrl, access_token, ADD_CALL),
      stop,
      wranglerPid: worker.process.pid!,
      workerUrl,
      inspectorPort: worker.inspectorPort,
      workerMain: worker.main,
      traceSizesUrl: worker.traceSizesUrl,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
