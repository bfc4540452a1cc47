/**
 * The words the gateway uses when a call waits for a person: the question a client shows (MCP
 * elicitation's `message`), and the errors a call ends with when nobody said yes. A client shows
 * them to a person who has to decide in seconds, so each names the tool, the arguments (the
 * readable text of `readable-arguments.ts`), the rule, and what happens next. Pure: no I/O.
 */
import type { Approval, ApprovalRequest } from './approval-record.ts';

/**
 * The form question for a self-confirmation: accepting runs the call.
 *
 * @example
 * ```ts
 * confirmQuestion(approval); // 'Run the tool "delete-file" with these arguments?\n\npath: "/srv/app"\n\n…'
 * ```
 */
export function confirmQuestion(approval: Pick<ApprovalRequest, 'tool' | 'argumentsShown' | 'rule' | 'text'>): string {
  return [
    `Run the tool "${approval.tool}" with these arguments?`,
    '',
    approval.argumentsShown,
    '',
    ...(approval.text ? [approval.text, ''] : []),
    `The gateway's rule "${approval.rule}" asks you to confirm this call. Nothing runs unless you accept.`,
  ].join('\n');
}

/**
 * The message beside the approval page's link (URL-mode elicitation).
 *
 * @example
 * ```ts
 * linkMessage(approval); // 'The tool "deploy" needs approval by someone in the group "sre". …'
 * ```
 */
export function linkMessage(approval: Pick<ApprovalRequest, 'tool' | 'by' | 'rule'>, waitText: string): string {
  if ('self' in approval.by)
    return `The tool "${approval.tool}" needs your confirmation (rule "${approval.rule}"). Open the page, check the call and confirm or deny it there; it waits ${waitText}.`;
  return `The tool "${approval.tool}" needs approval by someone in the group "${approval.by.group}" (rule "${approval.rule}"); you cannot approve it yourself. Open the page and send its address to an approver; the call waits ${waitText}.`;
}

/** A progress message while a call waits for an approver. */
export function waitingMessage(approval: Pick<ApprovalRequest, 'tool' | 'by'>, pageUrl: string): string {
  return 'self' in approval.by
    ? `Waiting for your confirmation of "${approval.tool}": ${pageUrl}`
    : `Waiting for approval of "${approval.tool}" by the group "${approval.by.group}": ${pageUrl}`;
}

/**
 * Why a call that waited did not run, for its JSON-RPC error.
 *
 * @example
 * ```ts
 * notRunMessage({ ...approval, status: 'denied', decidedBy: { sub: 's', email: 'carol@example.com' } }, '5 minutes');
 * // 'Not run: carol@example.com denied this call of "deploy" (rule "deploys-need-sre").'
 * ```
 */
export function notRunMessage(approval: Approval, waitText: string): string {
  const call = `this call of "${approval.tool}" (rule "${approval.rule}")`;
  switch (approval.status) {
    case 'denied':
      return `Not run: ${approval.decidedBy?.email ?? 'an approver'} denied ${call}.`;
    case 'declined':
      return `Not run: you declined ${call}.`;
    case 'withdrawn':
      return `Not run: ${call} was withdrawn.`;
    case 'expired':
      return 'self' in approval.by
        ? `Not run: ${call} was not confirmed within ${waitText}.`
        : `Not run: nobody in the group "${approval.by.group}" approved ${call} within ${waitText}.`;
    case 'used':
      return `Not run: the approval of ${call} was already used; each approval runs one call.`;
    default:
      return `Not run: ${call} is ${approval.status}.`;
  }
}

/** "5 minutes", "90 seconds", "1 hour": a wait as a person reads it. */
export function describeWait(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds % 3600 === 0) return plural(seconds / 3600, 'hour');
  if (seconds % 60 === 0) return plural(seconds / 60, 'minute');
  return plural(seconds, 'second');
}

function plural(count: number, unit: string): string {
  return `${count} ${unit}${count === 1 ? '' : 's'}`;
}
