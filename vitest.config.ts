/**
 * The test suite's eight projects, so each kind of test runs where it belongs: unit (pure logic
 * and single processes in Node), infra (the Pulumi program under setMocks), worker (inside
 * workerd), security and security-node (the attack suite, in workerd and in Node), e2e (the whole
 * local stack on loopback, real clients), containers (the same through real containers, one per
 * user, and the Pulumi program's image built by the real engine) and browser (a person in Chromium).
 */
import { cloudflareTest } from '@cloudflare/vitest-plugin';
import { configDefaults, defineConfig } from 'vitest/config';
import { vitePolicyPlugin } from './policies/build/policy-plugins.ts';
import { findChromium } from './test/browser/chromium.ts';

// Decided once for the whole run: which browser tests run must not depend on what another
// process installs while the suite loads.
const chromium = findChromium();

export default defineConfig({
  test: {
    reporters: ['default', './test/summary-reporter.ts'],
    projects: [
      {
        test: {
          name: 'unit',
          include: [
            'policies/**/*.test.ts',
            'dev/**/*.test.ts',
            'container/**/*.test.ts',
            'bench/**/*.test.ts',
            'test/repo/**/*.test.ts',
          ],
          environment: 'node',
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: 'infra',
          include: ['infra/**/*.test.ts'],
          exclude: [...configDefaults.exclude, 'infra/**/*.engine.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
        },
      },
      {
        plugins: [
          vitePolicyPlugin(),
          cloudflareTest({
            main: './worker/src/index.ts',
            wrangler: { configPath: './worker/test/wrangler.jsonc' },
          }),
        ],
        test: {
          name: 'worker',
          include: ['worker/**/*.test.ts'],
        },
      },
      {
        // The attack suite against the real Worker in workerd (test/security/README.md lists every attack).
        plugins: [
          vitePolicyPlugin(),
          cloudflareTest({
            main: './worker/src/index.ts',
            wrangler: { configPath: './test/security/worker/wrangler.jsonc' },
          }),
        ],
        test: {
          name: 'security',
          include: ['test/security/worker/**/*.test.ts'],
          // Requests per fuzzed endpoint: a quick pass in `npm test`, 10,000 with `npm run fuzz`.
          provide: { fuzzRuns: Number(process.env.SECURE_MCP_FUZZ_RUNS) || 150 },
        },
      },
      {
        // Attacks on the bridge and the identity header, in Node.
        test: {
          name: 'security-node',
          include: ['test/security/node/**/*.test.ts'],
          environment: 'node',
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts', 'smoke/**/*.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
          provide: { chromium },
        },
      },
      {
        // The production topology through real containers: the project's Docker engine, the image
        // from container/Dockerfile, wrangler dev running McpContainer with one container per user
        // (dev/containers/), and the image built from the Pulumi program's own build settings
        // (infra/**/*.engine.test.ts). Its global setup starts the engine and images once per run.
        test: {
          name: 'containers',
          include: [
            'test/containers/**/*.test.ts',
            'test/security/containers/**/*.test.ts',
            'infra/**/*.engine.test.ts',
          ],
          globalSetup: ['./test/containers/engine-setup.ts'],
          environment: 'node',
          testTimeout: 180_000,
          // A first build of the image (npm install of the server) takes a minute or two.
          hookTimeout: 600_000,
          fileParallelism: false,
        },
      },
      {
        // A person in Debian's Chromium (playwright-core): consent, Access sign-in, refusal.
        test: {
          name: 'browser',
          include: ['test/browser/**/*.test.ts'],
          globalSetup: ['./test/browser/chromium-notice.ts'],
          provide: { chromium },
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
