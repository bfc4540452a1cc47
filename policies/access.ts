/**
 * The project's Access policies (who may sign in), read from `policies/access.yaml`
 * and checked. Node only: the Worker does not need them (Access applies them), and
 * `infra/`, the Access stand-in and the CLI read them here.
 */
import { loadShippedPolicies } from './load/load-policies.ts';
import {
  LOCAL_ENVIRONMENT,
  policiesForEnvironment,
  type AccessPolicy,
  type AccessPolicyEntry,
} from './model/access-policy.ts';

export type { AccessPolicy, AccessPolicyEntry, AccessRule } from './model/access-policy.ts';
export { LOCAL_ENVIRONMENT } from './model/access-policy.ts';

/** Every entry of `policies/access.yaml`, with its environments. */
export const accessPolicyEntries: AccessPolicyEntry[] = loadShippedPolicies().access;

/**
 * The Access policies of one environment (a Pulumi stack name, or `local`), in precedence order.
 *
 * @example
 * ```ts
 * accessPoliciesFor('prod').map((policy) => policy.name); // ['contractors-not-in-prod', 'employees']
 * ```
 */
export function accessPoliciesFor(environment: string): AccessPolicy[] {
  return policiesForEnvironment(accessPolicyEntries, environment);
}

/** The Access policies the local stack applies (environment `local`). */
export const accessPolicies: AccessPolicy[] = accessPoliciesFor(LOCAL_ENVIRONMENT);
