/**
 * Approval in tool policies: a rule with `effect: approve` makes the calls it matches wait for a
 * person before they reach the server: the caller confirms (`by: self`), or someone else in an
 * Access group approves (`by: group:<name>`). An approve rule never lets anyone call a tool that
 * no allow rule lets them call; it only adds the human step (docs/policies.md).
 */

/** Who decides, as the engine and the gateway use it. */
export type Approver = { self: true } | { group: string };

/** What a decision carries when the call may run only once a person approves it. */
export interface ApprovalRequirement {
  /** The approve rule that asked for it. */
  rule: string;
  by: Approver;
  /** How long one approval also covers the same person, tool and arguments; null: exactly one call. */
  ttlMs: number | null;
  /** What the rule tells whoever decides (its `text`). */
  text: string | null;
}
