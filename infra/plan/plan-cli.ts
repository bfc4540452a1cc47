/**
 * `npm run infra:plan -- --stack dev|prod|tenant-acme`: prints the resources the program would
 * create for a shipped stack, from a mocks run (no Pulumi CLI, no account, no network).
 */
import { parseArgs } from 'node:util';
import { planStack, renderPlan } from './plan-stack.ts';

const { values } = parseArgs({ options: { stack: { type: 'string' } } });
if (!values.stack) {
  console.error(
    'Usage: npm run infra:plan -- --stack <stack>   (a stack with a Pulumi.<stack>.yaml, e.g. dev, prod, tenant-acme)',
  );
  process.exit(2);
}
try {
  console.log(renderPlan(await planStack(values.stack)));
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
