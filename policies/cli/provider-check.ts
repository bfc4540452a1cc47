/**
 * The part of `policy check` that asks, per environment, whether its identity provider can
 * express every Access rule that applies there (`engine/provider-rules.ts`), so a `group:`
 * rule that would match nobody on Cloudflare fails the check instead of the deploy, or worse,
 * deploys. Pure, given the providers.
 */
import { ruleProblem } from '../engine/provider-rules.ts';
import type { LoadedPolicies } from '../load/load-policies.ts';
import type { PolicyProblem } from '../load/policy-problem.ts';
import type { EnvironmentProvider } from '../load/stack-identity-providers.ts';
import { IDENTITY_PROVIDER_KINDS } from '../model/identity-provider.ts';

/**
 * One problem per rule that some environment's provider cannot express, at the rule's line;
 * environments that share a provider and a problem are named together.
 *
 * @example
 * ```ts
 * providerProblems(loaded, new Map([['prod', { provider: oneTimePin, source: 'Pulumi.prod.yaml' }]]));
 * // [{ file: 'policies/access.yaml', line: 24, column: 9, message: 'in prod (one-time PIN, Pulumi.prod.yaml): Access policy … ' }]
 * ```
 */
export function providerProblems(
  loaded: LoadedPolicies,
  providers: ReadonlyMap<string, EnvironmentProvider>,
): PolicyProblem[] {
  const problems = new Map<string, { at: PolicyProblem; environments: string[]; message: string }>();
  (loaded.access ?? []).forEach((policy, index) => {
    for (const [environment, { provider, source }] of providers) {
      if (policy.environments && !policy.environments.includes(environment)) continue;
      for (const [key, rules] of [
        ['include', policy.include],
        ['require', policy.require ?? []],
        ['exclude', policy.exclude ?? []],
      ] as const) {
        rules.forEach((rule, position) => {
          const problem = ruleProblem(rule, provider);
          if (!problem) return;
          const where = `${IDENTITY_PROVIDER_KINDS[provider.type].label}, ${source}`;
          const message = `Access policy "${policy.name}": ${problem}.`;
          const id = `${index}/${key}/${position}/${where}/${message}`;
          const seen = problems.get(id);
          if (seen) seen.environments.push(environment);
          else
            problems.set(id, {
              at: { ...loaded.locate('access', ['policies', index, key, position]), message: '' },
              environments: [environment],
              message: `(${where}) ${message}`,
            });
        });
      }
    }
  });
  return [...problems.values()].map(({ at, environments, message }) => ({
    ...at,
    message: `in ${environments.join(', ')} ${message}`,
  }));
}
