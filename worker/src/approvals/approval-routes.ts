/**
 * The approval pages, behind the same Access sign-in as MCP clients (`approver-sign-in.ts`):
 * `GET /approvals` lists the calls waiting for this person or for the groups they approve for;
 * `GET /approvals/<address>` shows one call; `POST /approvals/<address>` approves or denies it.
 * The desk decides whether this person may (`mayDecide`: never the caller for a group approval,
 * only the caller for a self-confirmation), so the page and the desk cannot disagree. Each decision
 * and each refused attempt is one `approval_decision` audit record (docs/audit.md).
 */
import type { WorkerConfig } from '../config.ts';
import { errorPage } from '../pages/error-page.ts';
import { pageHeaders } from '../pages/html.ts';
import { renderApprovalPage, renderApprovalsList } from '../pages/approval-page.ts';
import { readBodyAtMost } from '../read-body-at-most.ts';
import { signFor, verifyFor } from './approval-keys.ts';
import { formatApprovalRef, parseApprovalRef, type ApprovalRef } from './approval-ref.ts';
import { ApprovalDesks, deskName } from './approval-desks.ts';
import { describeDecider } from '../../../policies/engine/approvals.ts';
import { mayDecide, type Approval, type DecideRefusal } from './approval-record.ts';
import { approverSessionValue, readApprover, startApproverSignIn, type Approver } from './approver-sign-in.ts';

/** One record per decision on the page, and per refused attempt to decide. */
export interface ApprovalDecisionRecord {
  event: 'approval_decision';
  time: string;
  approvalId: string;
  rule: string;
  by: string;
  tool: string;
  argumentsDigest: string;
  caller: { sub: string; email: string };
  clientId: string | null;
  decidedBy: { sub: string; email: string; groups: string[] };
  /** `approved`, `denied`, or `refused` (this person may not decide, or it was no longer pending). */
  decision: 'approved' | 'denied' | 'refused';
  reason?: string;
}

/** What the routes need besides the request. */
export interface ApprovalRoutesContext {
  env: Cloudflare.Env;
  config: WorkerConfig;
  /** The groups some approve rule names: an approver's session keeps only these. */
  approvalGroups: readonly string[];
  audit?: (record: ApprovalDecisionRecord) => void;
}

/** Form bodies are a decision and a token: a few hundred bytes. */
const MAX_FORM_BYTES = 4 * 1024;

/**
 * Serves `/approvals` and `/approvals/<address>`; undefined for any other path.
 *
 * @example
 * ```ts
 * const page = await serveApprovals(request, { env, config, approvalGroups });
 * if (page) return page;
 * ```
 */
export async function serveApprovals(request: Request, context: ApprovalRoutesContext): Promise<Response | undefined> {
  const { pathname } = new URL(request.url);
  if (pathname !== '/approvals' && !pathname.startsWith('/approvals/')) return undefined;
  const { env, config } = context;
  if (!env.APPROVAL_DESK)
    return errorPage(404, 'Approvals are not set up', 'This gateway has no approval desk (the APPROVAL_DESK binding).');
  const desks = new ApprovalDesks(env.APPROVAL_DESK);
  const method = request.method;
  if (method !== 'GET' && method !== 'POST')
    return new Response('Method Not Allowed', { status: 405, headers: { Allow: 'GET, POST' } });

  const approver = await readApprover(request, config.cookieSecret);
  if (pathname === '/approvals') {
    if (method !== 'GET') return new Response('Method Not Allowed', { status: 405, headers: { Allow: 'GET' } });
    if (!approver) return startApproverSignIn(env, config, pathname);
    return listPage(desks, approver, context);
  }

  const ref = await parseApprovalRef(pathname.slice('/approvals/'.length), config.cookieSecret);
  if (!ref) return notFound();
  const stub = desks.byId(ref.desk);
  if (!stub) return notFound();
  if (!approver) {
    // A decision posted without a session (expired, or from elsewhere) is not acted on: sign in and look again.
    if (method === 'POST') await request.body?.cancel();
    return startApproverSignIn(env, config, pathname);
  }

  const approval = await stub.show(ref.id);
  if (!approval) return notFound();
  if (method === 'GET') return showPage(request, approval, approver, ref, context);

  const form = await readForm(request);
  const decision = form?.get('decision');
  const token = form?.get('token');
  if ((decision !== 'approve' && decision !== 'deny') || typeof token !== 'string')
    return errorPage(400, 'This form could not be read', 'Open the approval page again.');
  if (!(await verifyFor(config.cookieSecret, 'approver-form', formTokenText(request, ref), token)))
    return errorPage(403, 'This form has expired', 'Open the approval page again and decide there.');
  const decided = await stub.decide(ref.id, { ...approver }, decision);
  const audit = context.audit ?? ((record: ApprovalDecisionRecord) => console.log(JSON.stringify(record)));
  audit(decisionRecord('approval' in decided ? decided.approval : approval, approver, decided));
  if ('refused' in decided && decided.refused !== 'not-pending') {
    const standing = decided.refused === 'not-found' ? undefined : decided.refused;
    if (!standing) return notFound();
    return showPage(request, approval, approver, ref, context, 403);
  }
  return new Response(null, { status: 303, headers: { Location: pathname, 'Cache-Control': 'no-store' } });
}

async function showPage(
  request: Request,
  approval: Approval,
  approver: Approver,
  ref: ApprovalRef,
  context: ApprovalRoutesContext,
  status = 200,
): Promise<Response> {
  const standing = mayDecide(approval, approver);
  const formToken = await signFor(context.config.cookieSecret, 'approver-form', formTokenText(request, ref));
  const html = renderApprovalPage(approval, { email: approver.email, standing, formToken, now: Date.now() });
  // A person outside the group sees that they may not decide, with a 403 as a refusal should carry.
  const code = status === 200 && standing !== 'yes' && standing !== 'own-call' ? 403 : status;
  return new Response(html, { status: code, headers: pageHeaders() });
}

async function listPage(desks: ApprovalDesks, approver: Approver, context: ApprovalRoutesContext): Promise<Response> {
  const names = [deskName({ self: true }, approver), ...approver.groups.map((group) => deskName({ group }, approver))];
  const entries = (
    await Promise.all(
      names.map(async (name) => {
        const { stub, desk } = desks.named(name);
        const pending = await stub.pending();
        return Promise.all(
          pending
            .filter((approval) => mayDecide(approval, approver) !== 'not-yours')
            .map(async (approval) => ({
              approval,
              href: `/approvals/${await formatApprovalRef({ desk, id: approval.id }, context.config.cookieSecret)}`,
              mine: approval.caller.sub === approver.sub,
            })),
        );
      }),
    )
  )
    .flat()
    .sort((one, other) => one.approval.requestedAt - other.approval.requestedAt);
  return new Response(renderApprovalsList(entries, approver.email, approver.groups, Date.now()), {
    headers: pageHeaders(),
  });
}

/** The form token binds a decision to this person's session and this approval: a form from elsewhere carries none that verifies. */
function formTokenText(request: Request, ref: ApprovalRef): string {
  return `${approverSessionValue(request)}\n${ref.desk}.${ref.id}`;
}

function decisionRecord(
  approval: Approval,
  approver: Approver,
  decided: { approval: Approval } | DecideRefusal,
): ApprovalDecisionRecord {
  const refused = 'refused' in decided ? decided.refused : undefined;
  return {
    event: 'approval_decision',
    time: new Date().toISOString(),
    approvalId: approval.id,
    rule: approval.rule,
    by: describeDecider(approval.by),
    tool: approval.tool,
    argumentsDigest: approval.argumentsDigest,
    caller: { sub: approval.caller.sub, email: approval.caller.email },
    clientId: approval.clientId,
    decidedBy: { sub: approver.sub, email: approver.email, groups: approver.groups },
    decision: refused ? 'refused' : approval.status === 'approved' ? 'approved' : 'denied',
    ...(refused ? { reason: refused === 'not-pending' ? `already ${approval.status}` : refused } : {}),
  };
}

async function readForm(request: Request): Promise<URLSearchParams | undefined> {
  const type = request.headers.get('Content-Type') ?? '';
  if (!type.startsWith('application/x-www-form-urlencoded')) return undefined;
  const bytes = await readBodyAtMost(request, MAX_FORM_BYTES);
  if (!bytes) return undefined;
  return new URLSearchParams(new TextDecoder().decode(bytes));
}

function notFound(): Response {
  return errorPage(
    404,
    'No such approval',
    'This approval does not exist, or its address was changed. Open the link you were sent again.',
  );
}
