/**
 * What the gateway keeps about one call that waits for a person: who asked, through which client,
 * which tool with which arguments (as readable, masked text and a digest, never the values), who
 * may decide, until when, and what happened. The storage schema of the approval desk
 * (`approval-desk.ts`) and the shape its RPC methods answer with; docs/policies.md describes it for
 * a reviewer.
 */
import type { Approver } from '../../../policies/model/approval.ts';

/** A signed-in person as the gateway knows them from Access. */
export interface Person {
  sub: string;
  email: string;
  name?: string;
}

/** Who decides: the caller themself, or someone else in an Access group (policies/model/approval.ts). */
export type Decider = Approver;

/**
 * How the caller's client is asked: an in-client question (`form`: accept runs the call), a link
 * to the approval page (`url`: accept only opens the page), or nothing (`none`: group approval with
 * a client that cannot show a link; approvers find the call on their page).
 */
export type AskMode = 'form' | 'url' | 'none';

/**
 * Where an approval is: `pending` until someone decides or it lapses; `approved` (not yet run),
 * `used` (approved and run: an approval runs one call), `denied` (an approver said no), `declined`
 * (the caller said no, or cancelled), `withdrawn` (the caller's client went away), `expired`.
 */
export type ApprovalStatus = 'pending' | 'approved' | 'used' | 'denied' | 'declined' | 'withdrawn' | 'expired';

/** What the gate asks a desk to hold. */
export interface ApprovalRequest {
  by: Decider;
  /** The policy rule that asked for approval. */
  rule: string;
  /** The rule's `text`, shown to whoever decides. */
  text: string | null;
  /** How long an approval covers the same tool and arguments again (the rule's `ttl`); null: one call. */
  ttlMs: number | null;
  ask: AskMode;
  caller: Person;
  clientId: string | null;
  clientName: string | null;
  tool: string;
  argumentsDigest: string;
  /** `readable-arguments.ts` text: bounded, secrets hidden. */
  argumentsShown: string;
  /** Epoch milliseconds: nobody can decide after this, and the call fails. */
  expiresAt: number;
}

/** An approval as stored and answered. */
export interface Approval extends ApprovalRequest {
  id: string;
  status: ApprovalStatus;
  requestedAt: number;
  decidedAt: number | null;
  /** Who approved or denied (for a self-confirmation in the client: the caller). */
  decidedBy: Person | null;
  /** Where the decision was made: the approval page, or the caller's client. */
  via: 'page' | 'client' | null;
}

/** An earlier approval that still covers this tool and these arguments (the rule's `ttl`). */
export interface Grant {
  approvalId: string;
  rule: string;
  decidedBy: Person;
  decidedAt: number;
  expiresAt: number;
}

/** What opening an approval gave: a new pending approval, a grant that covers the call, or a refusal. */
export type OpenResult =
  | { kind: 'approval'; approval: Approval }
  | { kind: 'grant'; grant: Grant }
  | { kind: 'refused'; reason: string };

/** Why a person cannot decide, in words for the page. */
export type DecideRefusal =
  | { refused: 'not-found' }
  | { refused: 'not-pending'; approval: Approval }
  | { refused: 'own-call'; approval: Approval }
  | { refused: 'not-in-group'; approval: Approval }
  | { refused: 'not-yours'; approval: Approval };

/** The one person who decides a self-confirmation, or anyone else in the group: the same rule for the desk and the page. */
export function mayDecide(
  approval: Pick<Approval, 'by' | 'caller'>,
  person: Person & { groups: readonly string[] },
): 'yes' | 'own-call' | 'not-in-group' | 'not-yours' {
  const isCaller = samePerson(approval.caller, person);
  if ('self' in approval.by) return isCaller ? 'yes' : 'not-yours';
  if (isCaller) return 'own-call';
  return person.groups.includes(approval.by.group) ? 'yes' : 'not-in-group';
}

/** Same person by Access's `sub` or by email (an approver may hold two `sub`s across identity providers, never two emails). */
function samePerson(one: Person, other: Person): boolean {
  return one.sub === other.sub || one.email.toLowerCase() === other.email.toLowerCase();
}
