/**
 * `npm run policy -- explain`: the answer to "what may this person do, and why", from the policies
 * alone, so an operator can check a person's access without signing in as them.
 */
import { decideSignIn } from '../engine/decide-sign-in.ts';
import type { LoadedPolicies } from '../load/load-policies.ts';
import { policiesForEnvironment } from '../model/access-policy.ts';
import type { RequestIdentity } from '../model/tool-policy.ts';
import { targetsOf } from './targets.ts';
import { describePermission, permissionOf } from './permission.ts';

/**
 * `npm run policy -- explain --email E [--groups g1,g2]`: may this person sign in (per
 * environment, and by which policy), and what may they use (each tool, resource and
 * prompt of the inventory, and by which rule). Pure: takes loaded policies.
 *
 * @example
 * ```ts
 * console.log(explainCommand(readPolicyDirectory('policies'), { email: 'bob@example.com', groups: ['support'] }));
 * ```
 */
export function explainCommand(loaded: LoadedPolicies, identity: RequestIdentity): string {
  const lines = [
    `${identity.email} (groups: ${identity.groups.length > 0 ? identity.groups.join(', ') : 'none'})`,
    '',
    'Sign-in (Access policies):',
  ];
  const orders: string[] = [];
  for (const environment of environmentsOf(loaded)) {
    const policies = policiesForEnvironment(loaded.access ?? [], environment.name);
    const decision = decideSignIn(policies, identity);
    lines.push(
      `  ${environment.label.padEnd(20)} ${decision.allowed ? 'may sign in' : 'refused    '}  ${decision.reason}`,
    );
    orders.push(`  ${environment.label.padEnd(20)} ${policies.map((policy) => policy.name).join(' > ') || '(none)'}`);
  }
  lines.push(
    '',
    'Access policy order (Access checks them top to bottom and stops at the first that matches):',
    ...orders,
  );
  if (loaded.tools) {
    lines.push('', `Tools, resources and prompts (tool policies; unknown methods: ${loaded.tools.unlistedMethods}):`);
    const targets = targetsOf([loaded]);
    if (targets.length === 0) lines.push('  (no inventory.yaml: nothing to list)');
    for (const target of targets) {
      lines.push(
        `  ${`${target.kind} ${target.name}`.padEnd(56)} ${describePermission(permissionOf(loaded.tools, identity, target))}`,
      );
    }
  }
  return lines.join('\n');
}

/** Every environment an Access policy or a policy test names, and "any other" for stacks no policy names. */
export function environmentsOf(...all: LoadedPolicies[]): Array<{ name: string; label: string }> {
  const named = [
    ...new Set(
      all.flatMap((loaded) => [
        ...(loaded.access ?? []).flatMap((policy) => policy.environments ?? []),
        ...(loaded.cases?.signIn ?? []).map((row) => row.environment),
      ]),
    ),
  ].sort();
  // No real stack is called this, so only policies without `environments` apply to it.
  return [...named.map((name) => ({ name, label: name })), { name: '\u0000other', label: 'other environments' }];
}
