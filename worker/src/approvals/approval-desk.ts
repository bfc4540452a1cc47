/**
 * `ApprovalDesk`: the Durable Object where calls wait for a person. One desk per Access group that
 * approves (`group:<name>`) and one per person for self-confirmation (`person:<sub>`), so everything
 * one decision touches lives in one place, whichever isolate or location serves the waiting call,
 * the client's answer and the approver's page. A Durable Object is the one instance for its id
 * with storage next to it (developers.cloudflare.com/durable-objects/reference/in-memory-state/),
 * so a decision reaches the call that waits on it in memory, at once; SQLite storage keeps the
 * approvals, the grants of a rule's `ttl` and (on person desks) which elicitation modes each MCP
 * session's client declared, across evictions.
 *
 * A waiting call holds an RPC open (`wait`) for at most one round; an object stays in memory while
 * it handles a request from a connected caller, and pending timers keep it running too with a
 * compatibility date from 2026-10-01 on (developers.cloudflare.com/changelog/post/2026-10-01-pending-io-keep-alive/).
 * Should the object still be evicted, the waiter's RPC fails and the gate asks again: the state is
 * in storage, only the wake-up is in memory.
 */
import { DurableObject } from 'cloudflare:workers';
import { randomToken } from '../base64url.ts';
import {
  mayDecide,
  type Approval,
  type ApprovalRequest,
  type DecideRefusal,
  type Grant,
  type OpenResult,
  type Person,
} from './approval-record.ts';

/** Most calls one person may have waiting at one desk: a runaway agent cannot flood the approvers. */
export const MAX_PENDING_PER_PERSON = 10;
/** How long decided approvals stay readable on the page (the audit log is the permanent record). */
const KEEP_DECIDED_MS = 24 * 60 * 60 * 1000;
/** Longest one `wait` RPC holds on (a round); the caller asks again for longer waits. */
const MAX_WAIT_ROUND_MS = 60_000;

/** The client's answer to the gateway's question: MCP's three elicitation actions. */
export type ClientAnswer = 'accept' | 'decline' | 'cancel';

export class ApprovalDesk extends DurableObject {
  readonly #sql: SqlStorage;
  /** Calls waiting in `wait`, by approval id: woken by any change to that approval. */
  readonly #waiters = new Map<string, Set<() => void>>();

  constructor(ctx: DurableObjectState, env: Cloudflare.Env) {
    super(ctx, env);
    this.#sql = ctx.storage.sql;
    this.#sql.exec(`CREATE TABLE IF NOT EXISTS approvals (
      id TEXT PRIMARY KEY, caller_sub TEXT NOT NULL, status TEXT NOT NULL,
      requested_at INTEGER NOT NULL, expires_at INTEGER NOT NULL, body TEXT NOT NULL)`);
    this.#sql.exec('CREATE INDEX IF NOT EXISTS approvals_by_status ON approvals (status, requested_at)');
    this.#sql.exec(`CREATE TABLE IF NOT EXISTS grants (
      caller_sub TEXT NOT NULL, tool TEXT NOT NULL, digest TEXT NOT NULL, expires_at INTEGER NOT NULL,
      body TEXT NOT NULL, PRIMARY KEY (caller_sub, tool, digest))`);
    this.#sql.exec(
      'CREATE TABLE IF NOT EXISTS sessions (id TEXT PRIMARY KEY, modes TEXT NOT NULL, expires_at INTEGER NOT NULL)',
    );
    this.#sql.exec(`CREATE TABLE IF NOT EXISTS waits (
      session_id TEXT NOT NULL, request_id TEXT NOT NULL, desk TEXT NOT NULL, approval_id TEXT NOT NULL,
      expires_at INTEGER NOT NULL, PRIMARY KEY (session_id, request_id))`);
  }

  /**
   * Holds a new approval for a call, unless a grant of an earlier approval (the rule's `ttl`) still
   * covers the same person, tool and arguments, or the person already has too many waiting.
   */
  open(request: ApprovalRequest): OpenResult {
    const now = Date.now();
    this.#expireDue(now);
    const grant = this.#sql
      .exec<{ body: string }>(
        'SELECT body FROM grants WHERE caller_sub = ? AND tool = ? AND digest = ? AND expires_at > ?',
        request.caller.sub,
        request.tool,
        request.argumentsDigest,
        now,
      )
      .toArray()[0];
    if (grant) return { kind: 'grant', grant: JSON.parse(grant.body) as Grant };
    const { waiting } = this.#sql
      .exec<{ waiting: number }>(
        "SELECT count(*) AS waiting FROM approvals WHERE caller_sub = ? AND status = 'pending'",
        request.caller.sub,
      )
      .one();
    if (waiting >= MAX_PENDING_PER_PERSON)
      return {
        kind: 'refused',
        reason: `you already have ${waiting} calls waiting for approval; wait for them to be decided or to expire`,
      };
    const approval: Approval = {
      ...request,
      id: randomToken(16),
      status: 'pending',
      requestedAt: now,
      decidedAt: null,
      decidedBy: null,
      via: null,
    };
    this.#sql.exec(
      'INSERT INTO approvals (id, caller_sub, status, requested_at, expires_at, body) VALUES (?, ?, ?, ?, ?, ?)',
      approval.id,
      approval.caller.sub,
      approval.status,
      approval.requestedAt,
      approval.expiresAt,
      JSON.stringify(approval),
    );
    void this.#scheduleCleanup(approval.requestedAt + KEEP_DECIDED_MS);
    return { kind: 'approval', approval };
  }

  /** One approval as it stands (lapsed ones read as expired), or undefined. */
  show(id: string): Approval | undefined {
    this.#expireDue(Date.now());
    return this.#read(id);
  }

  /** The calls waiting at this desk, oldest first (for the approvers' page). */
  pending(): Approval[] {
    this.#expireDue(Date.now());
    return this.#sql
      .exec<{ body: string }>("SELECT body FROM approvals WHERE status = 'pending' ORDER BY requested_at LIMIT 100")
      .toArray()
      .map((row) => JSON.parse(row.body) as Approval);
  }

  /**
   * Waits until the caller's approval is decided, lapses, or `untilMs` (epoch ms) comes, and
   * answers it as it then stands; undefined when it is not this caller's or does not exist.
   */
  async wait(id: string, callerSub: string, untilMs: number): Promise<Approval | undefined> {
    const deadline = Math.min(untilMs, Date.now() + MAX_WAIT_ROUND_MS);
    for (;;) {
      const now = Date.now();
      this.#expireDue(now);
      const approval = this.#read(id);
      if (!approval || approval.caller.sub !== callerSub) return undefined;
      if (approval.status !== 'pending' || now >= deadline) return approval;
      await this.#sleepUntilChange(id, Math.min(deadline, approval.expiresAt) - now);
    }
  }

  /**
   * The caller's client answered the gateway's question. A form question is the decision itself
   * (accept approves, decline or cancel declines); for a link, accept only means the person opens
   * the page, and decline or cancel withdraws the call.
   */
  answer(id: string, callerSub: string, action: ClientAnswer): Approval | undefined {
    this.#expireDue(Date.now());
    const approval = this.#read(id);
    if (!approval || approval.caller.sub !== callerSub || approval.status !== 'pending') return approval;
    if (action !== 'accept') return this.#settle(approval, 'declined', approval.caller, 'client');
    if (approval.ask === 'form' && 'self' in approval.by)
      return this.#settle(approval, 'approved', approval.caller, 'client');
    return approval;
  }

  /** A person decides on the approval page: the caller for a self-confirmation, anyone else in the group otherwise. */
  decide(
    id: string,
    person: Person & { groups: string[] },
    decision: 'approve' | 'deny',
  ): { approval: Approval } | DecideRefusal {
    this.#expireDue(Date.now());
    const approval = this.#read(id);
    if (!approval) return { refused: 'not-found' };
    const may = mayDecide(approval, person);
    if (may !== 'yes') return { refused: may, approval };
    if (approval.status !== 'pending') return { refused: 'not-pending', approval };
    const decider: Person = { sub: person.sub, email: person.email, ...(person.name ? { name: person.name } : {}) };
    return { approval: this.#settle(approval, decision === 'approve' ? 'approved' : 'denied', decider, 'page') };
  }

  /**
   * The gate runs the call: an approved approval becomes used, once. Anything else is answered as it
   * stands, so a replayed `requestState` or a second run finds `used` and is refused.
   */
  use(id: string, callerSub: string): Approval | undefined {
    this.#expireDue(Date.now());
    const approval = this.#read(id);
    if (!approval || approval.caller.sub !== callerSub) return undefined;
    if (approval.status !== 'approved') return approval;
    return this.#write({ ...approval, status: 'used' });
  }

  /** The caller's client went away: a pending approval is withdrawn, so nobody decides it in vain. */
  withdraw(id: string, callerSub: string): Approval | undefined {
    const approval = this.#read(id);
    if (!approval || approval.caller.sub !== callerSub || approval.status !== 'pending') return approval;
    return this.#write({ ...approval, status: 'withdrawn' });
  }

  /** Person desks: the elicitation modes an MCP session's client declared at `initialize`. */
  rememberSession(sessionId: string, modes: string[], ttlMs: number): void {
    const now = Date.now();
    this.#sql.exec(
      'INSERT OR REPLACE INTO sessions (id, modes, expires_at) VALUES (?, ?, ?)',
      sessionId,
      modes.join(','),
      now + ttlMs,
    );
    void this.#scheduleCleanup(now + ttlMs);
  }

  /** Person desks: what `rememberSession` kept for a session, or undefined. */
  sessionModes(sessionId: string): string[] | undefined {
    const row = this.#sql
      .exec<{ modes: string }>('SELECT modes FROM sessions WHERE id = ? AND expires_at > ?', sessionId, Date.now())
      .toArray()[0];
    return row ? row.modes.split(',').filter(Boolean) : undefined;
  }

  /**
   * Person desks: a 2025 call of this session waits for an approval (at whichever desk holds it),
   * so that the client's `notifications/cancelled` for that request can withdraw it.
   */
  noteWait(sessionId: string, requestId: string, desk: string, approvalId: string, expiresAt: number): void {
    this.#sql.exec(
      'INSERT OR REPLACE INTO waits (session_id, request_id, desk, approval_id, expires_at) VALUES (?, ?, ?, ?, ?)',
      sessionId,
      requestId,
      desk,
      approvalId,
      expiresAt,
    );
    void this.#scheduleCleanup(expiresAt);
  }

  /** Person desks: the approval a cancelled request of this session waits for, forgotten as it is answered. */
  takeWait(sessionId: string, requestId: string): { desk: string; approvalId: string } | undefined {
    const row = this.#sql
      .exec<{ desk: string; approval_id: string }>(
        'SELECT desk, approval_id FROM waits WHERE session_id = ? AND request_id = ? AND expires_at > ?',
        sessionId,
        requestId,
        Date.now(),
      )
      .toArray()[0];
    this.#sql.exec('DELETE FROM waits WHERE session_id = ? AND request_id = ?', sessionId, requestId);
    return row ? { desk: row.desk, approvalId: row.approval_id } : undefined;
  }

  /** Forgets what no page, call or grant needs any more, and comes back while something remains. */
  override async alarm(): Promise<void> {
    const now = Date.now();
    this.#expireDue(now);
    this.#sql.exec("DELETE FROM approvals WHERE status != 'pending' AND requested_at < ?", now - KEEP_DECIDED_MS);
    this.#sql.exec('DELETE FROM grants WHERE expires_at <= ?', now);
    this.#sql.exec('DELETE FROM sessions WHERE expires_at <= ?', now);
    this.#sql.exec('DELETE FROM waits WHERE expires_at <= ?', now);
    const next = this.#sql
      .exec<{ at: number | null }>(
        `SELECT min(at) AS at FROM (
           SELECT requested_at + ? AS at FROM approvals
           UNION ALL SELECT expires_at AS at FROM grants
           UNION ALL SELECT expires_at AS at FROM sessions
           UNION ALL SELECT expires_at AS at FROM waits)`,
        KEEP_DECIDED_MS,
      )
      .one().at;
    if (next !== null) await this.ctx.storage.setAlarm(Math.max(next, now + 1_000));
  }

  #read(id: string): Approval | undefined {
    const row = this.#sql.exec<{ body: string }>('SELECT body FROM approvals WHERE id = ?', id).toArray()[0];
    return row ? (JSON.parse(row.body) as Approval) : undefined;
  }

  #write(approval: Approval): Approval {
    this.#sql.exec(
      'UPDATE approvals SET status = ?, body = ? WHERE id = ?',
      approval.status,
      JSON.stringify(approval),
      approval.id,
    );
    for (const wake of this.#waiters.get(approval.id) ?? []) wake();
    return approval;
  }

  #settle(
    approval: Approval,
    status: 'approved' | 'denied' | 'declined',
    by: Person,
    via: 'page' | 'client',
  ): Approval {
    const now = Date.now();
    const settled = this.#write({ ...approval, status, decidedAt: now, decidedBy: by, via });
    if (status === 'approved' && approval.ttlMs !== null) {
      const grant: Grant = {
        approvalId: approval.id,
        rule: approval.rule,
        decidedBy: by,
        decidedAt: now,
        expiresAt: now + approval.ttlMs,
      };
      this.#sql.exec(
        'INSERT OR REPLACE INTO grants (caller_sub, tool, digest, expires_at, body) VALUES (?, ?, ?, ?, ?)',
        approval.caller.sub,
        approval.tool,
        approval.argumentsDigest,
        grant.expiresAt,
        JSON.stringify(grant),
      );
      void this.#scheduleCleanup(grant.expiresAt);
    }
    return settled;
  }

  /** Pending approvals whose time is up become expired (and their waiters hear of it). */
  #expireDue(now: number): void {
    const due = this.#sql
      .exec<{ body: string }>("SELECT body FROM approvals WHERE status = 'pending' AND expires_at <= ?", now)
      .toArray();
    for (const row of due) this.#write({ ...(JSON.parse(row.body) as Approval), status: 'expired' });
  }

  #sleepUntilChange(id: string, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const waiters = this.#waiters.get(id) ?? new Set();
      this.#waiters.set(id, waiters);
      const wake = () => {
        clearTimeout(timer);
        waiters.delete(wake);
        if (waiters.size === 0) this.#waiters.delete(id);
        resolve();
      };
      const timer = setTimeout(wake, Math.max(0, ms));
      waiters.add(wake);
    });
  }

  /** Makes sure the alarm comes no later than `at` (epoch ms). */
  async #scheduleCleanup(at: number): Promise<void> {
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > at) await this.ctx.storage.setAlarm(at);
  }
}
