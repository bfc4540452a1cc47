/**
 * Roots a client gives the server (docs/security.md 21). A root is a promise to a file server that it
 * may work in that place, so a client's answer to `roots/list` widens what the server touches; the
 * policy decides which roots pass, like any other target. Pure: no I/O.
 */
import type { RequestIdentity, ToolPolicies } from '../model/tool-policy.ts';
import { decideTarget } from './decide-request.ts';
import { whoMatches } from './who-matches.ts';

/**
 * Whether any allow rule lets this person give the server roots at all. When none does, the gateway
 * takes the roots capability out of their client's handshake, so the server does not even ask.
 *
 * @example
 * ```ts
 * mayGiveRoots({ unlistedMethods: 'deny', rules: [] }, bob); // false
 * ```
 */
export function mayGiveRoots(policies: ToolPolicies, identity: RequestIdentity): boolean {
  return policies.rules.some((rule) => rule.effect === 'allow' && rule.roots && whoMatches(rule.who, identity));
}

/**
 * The entries of a `roots/list` answer this person may give the server: objects whose `uri` the
 * policy allows as a root (in every reading of it); anything else is dropped.
 *
 * @example
 * ```ts
 * allowedRoots(policies, alice, [{ uri: 'file:///workspace' }, { uri: 'file:///' }]); // [{ uri: 'file:///workspace' }]
 * ```
 */
export function allowedRoots(policies: ToolPolicies, identity: RequestIdentity, roots: readonly unknown[]): unknown[] {
  return roots.filter((root) => {
    const uri = typeof root === 'object' && root !== null ? (root as { uri?: unknown }).uri : undefined;
    return typeof uri === 'string' && decideTarget(policies, identity, { kind: 'root', name: uri }).allowed;
  });
}
