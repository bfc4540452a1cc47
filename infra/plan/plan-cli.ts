/**
 * `npm run infra:plan -- --stack dev|prod|tenant-acme [--preview]`: prints the resources the
 * program would create for a shipped stack, from a mocks run (no Pulumi CLI, no account, no
 * network). `--preview` runs it as `pulumi preview` of a first deployment sees it (computed
 * values unknown) and calls each dynamic provider's `check()`; it exits 1 if one fails.
 */
import { parseArgs } from 'node:util';
import { planFailed, planStack, renderPlan } from './plan-stack.ts';

const { values } = parseArgs({ options: { stack: { type: 'string' }, preview: { type: 'boolean', default: false } } });
if (!values.stack) {
  console.error(
    'Usage: npm run infra:plan -- --stack <stack> [--preview]   (a stack with a Pulumi.<stack>.yaml, e.g. dev, prod, tenant-acme)',
  );
  process.exit(2);
}
try {
  const plan = await planStack(values.stack, { preview: values.preview });
  console.log(renderPlan(plan));
  if (planFailed(plan)) process.exitCode = 1;
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
