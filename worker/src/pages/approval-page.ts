/**
 * The page an approver opens from a link to decide on someone's call, showing exactly what would
 * run and for whom, so a person approves a call they have actually read.
 */
import type { Approval } from '../approvals/approval-record.ts';
import { escapeHtml, layout } from './html.ts';

/** Whether the person looking may decide, as the desk judges it (`approval-record.ts`, `mayDecide`). */
export type ViewerStanding = 'yes' | 'own-call' | 'not-in-group' | 'not-yours';

/**
 * Renders one approval for the person who opened its page: who asks, which tool with which
 * arguments (already readable and masked), through which client, under which rule, until when; and
 * the Approve and Deny buttons when this person may decide and it is still pending. Every value is
 * escaped; the form carries only the decision and a token bound to this person's session and this
 * approval.
 *
 * @example
 * ```ts
 * const html = renderApprovalPage(approval, { email: 'carol@example.com', standing: 'yes', formToken, now: Date.now() });
 * ```
 */
export function renderApprovalPage(
  approval: Approval,
  viewer: { email: string; standing: ViewerStanding; formToken: string; now: number },
): string {
  const group = 'group' in approval.by ? approval.by.group : undefined;
  const self = group === undefined;
  const tool = escapeHtml(approval.tool);
  const title =
    approval.status !== 'pending'
      ? `A call of "${approval.tool}"`
      : self
        ? `Confirm your call of "${approval.tool}"?`
        : `Approve a call of "${approval.tool}"?`;
  const who = approval.caller.name
    ? `${escapeHtml(approval.caller.name)} &lt;${escapeHtml(approval.caller.email)}&gt;`
    : escapeHtml(approval.caller.email);
  const client = approval.clientName
    ? `${escapeHtml(approval.clientName)}${approval.clientId ? ` <code>${escapeHtml(approval.clientId)}</code>` : ''}`
    : approval.clientId
      ? `<code>${escapeHtml(approval.clientId)}</code>`
      : 'unknown';
  const decider =
    group === undefined ? 'the caller' : `someone in the group <code>${escapeHtml(group)}</code> other than the caller`;
  const text = approval.text ? `<p class="warning">${escapeHtml(approval.text)}</p>` : '';
  const body = `<h1>${escapeHtml(title)}</h1>
<p>${statusBadge(approval, viewer.now)}</p>
<dl>
  <dt>Asked by</dt><dd class="prose">${who}</dd>
  <dt>Tool</dt><dd><code>${tool}</code></dd>
  <dt>Arguments</dt><dd><pre>${escapeHtml(approval.argumentsShown)}</pre></dd>
  <dt>Client</dt><dd class="prose">${client}</dd>
  <dt>Rule</dt><dd class="prose"><code>${escapeHtml(approval.rule)}</code>: decided by ${decider}${approval.ttlMs ? `; an approval also covers the same call for ${escapeHtml(describeMs(approval.ttlMs))}` : ''}</dd>
  <dt>Asked at</dt><dd>${time(approval.requestedAt)}</dd>
</dl>
${text}
${actions(approval, viewer)}`;
  return layout(title, body);
}

/** What the page offers below the details: the decision form, or why there is none. */
function actions(approval: Approval, viewer: { email: string; standing: ViewerStanding; formToken: string }): string {
  const signedIn = `<p>You are signed in as <strong>${escapeHtml(viewer.email)}</strong>.</p>`;
  if (approval.status !== 'pending') return signedIn;
  if (viewer.standing === 'own-call')
    return `${signedIn}<p class="warning"><strong>You cannot approve your own call.</strong> Send this page's address to someone in the group <code>${escapeHtml('group' in approval.by ? approval.by.group : '')}</code>; the call waits until ${time(approval.expiresAt)}.</p>`;
  if (viewer.standing === 'not-in-group')
    return `${signedIn}<p class="warning">Only members of the group <code>${escapeHtml('group' in approval.by ? approval.by.group : '')}</code> can approve this call.</p>`;
  if (viewer.standing === 'not-yours')
    return `${signedIn}<p class="warning">Only the person who made this call can confirm it.</p>`;
  const [yes, no] = 'self' in approval.by ? ['Confirm', 'Deny'] : ['Approve', 'Deny'];
  return `${signedIn}
<form method="post">
  <input type="hidden" name="token" value="${escapeHtml(viewer.formToken)}">
  <div class="actions">
    <button class="primary" type="submit" name="decision" value="approve">${yes}</button>
    <button type="submit" name="decision" value="deny">${no}</button>
  </div>
</form>`;
}

/** The approval's state in a few words. */
function statusBadge(approval: Approval, now: number): string {
  const by = approval.decidedBy ? escapeHtml(approval.decidedBy.email) : '';
  switch (approval.status) {
    case 'pending':
      return `<span class="status pending">Waiting for a decision</span> until ${time(approval.expiresAt)} (${escapeHtml(describeMs(Math.max(0, approval.expiresAt - now)))} left)`;
    case 'approved':
    case 'used':
      return `<span class="status approved">Approved</span> by ${by} at ${time(approval.decidedAt!)}${approval.status === 'used' ? '; the call ran' : ''}`;
    case 'denied':
      return `<span class="status refused">Denied</span> by ${by} at ${time(approval.decidedAt!)}; the call did not run`;
    case 'declined':
      return `<span class="status refused">Declined</span> by the caller at ${time(approval.decidedAt!)}; the call did not run`;
    case 'withdrawn':
      return '<span class="status refused">Withdrawn</span>: the caller\'s client stopped waiting; the call did not run';
    default:
      return `<span class="status refused">Expired</span> at ${time(approval.expiresAt)}: nobody decided in time; the call did not run`;
  }
}

/**
 * The approvals page: the calls waiting for this person, and for the groups they approve for.
 *
 * @example
 * ```ts
 * renderApprovalsList([{ approval, href: '/approvals/…', mine: false }], 'carol@example.com', ['sre'], Date.now());
 * ```
 */
export function renderApprovalsList(
  entries: ReadonlyArray<{ approval: Approval; href: string; mine: boolean }>,
  email: string,
  groups: readonly string[],
  now: number,
): string {
  const items = entries
    .map(({ approval, href, mine }) => {
      const whom =
        'self' in approval.by ? 'your confirmation' : `the group <code>${escapeHtml(approval.by.group)}</code>`;
      return `<li><a href="${escapeHtml(href)}"><strong>${escapeHtml(approval.tool)}</strong></a> by ${escapeHtml(approval.caller.email)}${mine ? ' (you)' : ''}, waiting for ${whom}; ${escapeHtml(describeMs(Math.max(0, approval.expiresAt - now)))} left</li>`;
    })
    .join('\n');
  const scope = groups.length
    ? `You approve for: ${groups.map((group) => `<code>${escapeHtml(group)}</code>`).join(', ')}.`
    : 'You are in no group that approves calls.';
  const body = `<h1>Calls waiting for approval</h1>
<p>Signed in as <strong>${escapeHtml(email)}</strong>. ${scope}</p>
${entries.length ? `<ul class="approvals">${items}</ul>` : '<p>Nothing is waiting.</p>'}`;
  return layout('Calls waiting for approval', body);
}

function time(ms: number): string {
  return `<time datetime="${new Date(ms).toISOString()}">${new Date(ms)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, ' UTC')}</time>`;
}

function describeMs(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds >= 3600 && seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds >= 90) return `${Math.round(seconds / 60)} min`;
  return `${seconds} s`;
}
