/**
 * Tool policies: who may list and use which tools, resources and prompts of the MCP
 * server behind the gateway. Deny by default; a deny rule beats every allow rule; an
 * approve rule makes calls that allow rules allow wait for a person (model/approval.ts).
 */

/** Whom a rule is about; a rule applies when any one of its `who` entries matches. */
export type WhoMatcher =
  /** Exactly this verified email address (case does not matter). */
  | { email: string }
  /** Any verified email address at exactly this domain (case does not matter). */
  | { emailDomain: string }
  /** Members of this identity-provider group (the `groups` claim). */
  | { group: string }
  /** Every signed-in person. */
  | { everyone: true };

/** A condition on one argument of a tool call. A constrained argument must be present. */
export type ArgumentConstraint =
  /** The value equals one of these. */
  | { oneOf: Array<string | number | boolean> }
  /** The value is a string that starts with this and has no `..` path segment. */
  | { prefix: string };

/**
 * How often a person may call each tool an allow rule allows: at most `calls` in any window of
 * `per` (a duration like `30s`, `1m`, `1h`, `1d`), counted per person and tool, and per OAuth
 * client too when `perClient` is true. Counted exactly, by a Durable Object per person.
 */
export interface RateLimit {
  calls: number;
  per: string;
  perClient?: boolean;
}

/** Who decides an approve rule's calls, as the file writes it: the caller (`self`) or `group:<name>`. */
type ApproverText = 'self' | `group:${string}`;

/** One rule: an effect for some people on some tool, resource and prompt names. */
export interface ToolRule {
  /** Unique name; decisions and audit records name the rule that decided. */
  name: string;
  effect: 'allow' | 'deny' | 'approve';
  who: WhoMatcher[];
  /** Glob patterns on tool names (`*` any characters, `?` one character). */
  tools?: string[];
  /** Glob patterns on resource URIs (and resource template URIs). */
  resources?: string[];
  /** Glob patterns on prompt names. */
  prompts?: string[];
  /**
   * Glob patterns on the roots (`file://` URIs, say) a client may give the server in answer to
   * `roots/list`: a root widens what a file server may touch. Without an allow rule that matches a
   * person, the gateway takes the roots capability out of their client's handshake.
   */
  roots?: string[];
  /** Allow rules only: conditions on the arguments of the tools this rule matches. */
  arguments?: Record<string, ArgumentConstraint>;
  /** Allow rules only: how often each person may call each tool this rule allows. */
  rateLimit?: RateLimit;
  /** Approve rules only (required there): who decides. */
  by?: ApproverText;
  /** Approve rules only: how long one approval also covers the same person, tool and arguments (`30s`, `10m`, `8h`, `1d`). */
  ttl?: string;
  /** Approve rules only: what whoever decides is told. */
  text?: string;
}

/** The whole tool policy: its rules, and the explicit answer for methods no rule can name. */
export interface ToolPolicies {
  /** What happens to a JSON-RPC method the gateway does not know (e.g. a future extension). */
  unlistedMethods: 'allow' | 'deny';
  rules: ToolRule[];
}

/** What the gateway knows about the person making a request: verified claims only. */
export interface RequestIdentity {
  email: string;
  groups: string[];
}
