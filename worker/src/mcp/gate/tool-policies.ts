/**
 * The tool policies this Worker enforces, built in from `policies/tools.yaml`: the
 * build checks the file (as `npm run policy -- check` does) and embeds it as data
 * (policies/build/policy-plugins.ts), so a broken policy never deploys.
 */
import { approvalGroups as groupsThatApprove } from '../../../../policies/engine/approvals.ts';
import type { ToolPolicies } from '../../../../policies/model/tool-policy.ts';
import shippedToolPolicies from '../../../../policies/tools.yaml';

export const toolPolicies: ToolPolicies = shippedToolPolicies;

/** The groups the shipped policies' approve rules name (the approval pages' sessions keep only these). */
export const approvalGroups: readonly string[] = groupsThatApprove(toolPolicies);
