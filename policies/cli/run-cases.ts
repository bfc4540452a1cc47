/**
 * Runs the policy tests written beside the policies (`cases.yaml`), so that an expectation about
 * who may do what is checked on every change instead of remembered.
 */
import { describeDecider } from '../engine/approvals.ts';
import { decideRequest, type JsonRpcCall } from '../engine/decide-request.ts';
import { decideSignIn } from '../engine/decide-sign-in.ts';
import type { LoadedPolicies } from '../load/load-policies.ts';
import type { PolicyProblem } from '../load/policy-problem.ts';
import type { RequestCase } from '../load/schemas.ts';
import { policiesForEnvironment } from '../model/access-policy.ts';

/**
 * Runs the policy tests of `cases.yaml` against the policies beside them and returns
 * each failing row as a problem at that row's line. Pure.
 *
 * @example
 * ```ts
 * runCases(readPolicyDirectory(POLICY_DIR)); // [] when every row holds
 * ```
 */
export function runCases(loaded: LoadedPolicies): PolicyProblem[] {
  const { access, tools, cases } = loaded;
  if (!cases) return [];
  const problems: PolicyProblem[] = [];

  cases.signIn.forEach((row, index) => {
    if (!access) return;
    const decision = decideSignIn(policiesForEnvironment(access, row.environment), row.who);
    const actual = decision.allowed ? 'allow' : 'deny';
    const wrongPolicy = row.policy !== undefined && row.policy !== decision.policy;
    if (actual !== row.expect || wrongPolicy) {
      problems.push({
        ...loaded.locate('cases', ['signIn', index]),
        message: `sign-in of ${row.who.email} in ${row.environment}: expected ${row.expect}${row.policy ? ` by policy "${row.policy}"` : ''}, got ${actual}: ${decision.reason}`,
      });
    }
  });

  cases.requests.forEach((row, index) => {
    if (!tools) return;
    const decision = decideRequest(tools, row.who, callOf(row));
    const actual = !decision.allowed ? 'deny' : decision.approval ? 'approve' : 'allow';
    const approver = decision.approval ? describeDecider(decision.approval.by) : undefined;
    const wrongApprover = row.by !== undefined && row.by !== approver;
    if (actual !== row.expect || (row.rule !== undefined && row.rule !== decision.rule) || wrongApprover) {
      problems.push({
        ...loaded.locate('cases', ['requests', index]),
        message: `${row.who.email} ${describeCase(row)}: expected ${row.expect}${row.by ? ` by ${row.by}` : ''}${row.rule ? ` by rule "${row.rule}"` : ''}, got ${actual}${approver ? ` by ${approver}` : ''} by "${decision.rule}": ${decision.reason}`,
      });
    }
  });
  return problems;
}

/** The JSON-RPC request a case row stands for. */
export function callOf(row: Pick<RequestCase, 'tool' | 'resource' | 'prompt' | 'method' | 'arguments'>): JsonRpcCall {
  if (row.tool !== undefined)
    return { method: 'tools/call', params: { name: row.tool, arguments: row.arguments ?? {} } };
  if (row.resource !== undefined) return { method: 'resources/read', params: { uri: row.resource } };
  if (row.prompt !== undefined)
    return { method: 'prompts/get', params: { name: row.prompt, arguments: row.arguments ?? {} } };
  return { method: row.method!, params: {} };
}

function describeCase(row: RequestCase): string {
  if (row.tool !== undefined)
    return `calling tool ${row.tool}${row.arguments ? ` with ${JSON.stringify(row.arguments)}` : ''}`;
  if (row.resource !== undefined) return `reading resource ${row.resource}`;
  if (row.prompt !== undefined) return `getting prompt ${row.prompt}`;
  return `calling method ${row.method}`;
}
