/**
 * Approval for 2026-07-28 clients, which the gateway cannot send requests to: the call is answered
 * `input_required` (basic/patterns/mrtr in the 2026-07-28 specification) with the question as an
 * embedded `elicitation/create` (a form to confirm, or a link to the approval page) and a signed
 * `requestState` (`approvals/request-state.ts`). The client retries the same call with its answer
 * and the state; the gateway verifies the state against this person, client, tool and arguments,
 * and runs the call only once the desk says it is approved, marking the approval used so the state
 * cannot run it twice. While an approver has not decided, each retry waits one round and is
 * answered `input_required` again with only a fresh state, which a client retries at once (the
 * spec's client requirement 1).
 */
import { confirmQuestion, describeWait, linkMessage, notRunMessage } from '../../../approvals/approval-question.ts';
import { formatApprovalRef } from '../../../approvals/approval-ref.ts';
import type { ApprovalDesks } from '../../../approvals/approval-desks.ts';
import type { Approval } from '../../../approvals/approval-record.ts';
import {
  isGatewayRequestState,
  mintRequestState,
  openRequestState,
  type ApprovalState,
} from '../../../approvals/request-state.ts';
import { ERROR_CODES, type JsonRpcMessage } from '../json-rpc.ts';
import { auditOfApproval, auditOfGrant, auditWithout } from './approval-audit.ts';
import {
  approvalPageUrl,
  callError,
  errorCodeFor,
  openApproval,
  outcomeFor,
  type ApprovalSettings,
} from './approval-call.ts';
import type { ApprovalCall } from './approval-step.ts';
import { askModeFor, elicitationModes } from './client-elicitation.ts';
import { unavailable } from './unavailable.ts';

/** The key of the gateway's question in `inputRequests` and of the client's answer in `inputResponses`. */
export const APPROVAL_INPUT_KEY = 'secure-mcp/approval';
/** Where a 2026-07-28 request carries the client's capabilities. */
const CLIENT_CAPABILITIES_META_KEY = 'io.modelcontextprotocol/clientCapabilities';
/**
 * Longest one retry waits for an approver before the gateway answers `input_required` again: well
 * inside the 60 s request timeout of the MCP SDKs (`DEFAULT_REQUEST_TIMEOUT_MSEC`), and an answer
 * returned long before the 30 s some Cloudflare documentation gives an HTTP response.
 */
const MODERN_ROUND_MS = 20_000;
/** The form a self-confirmation asks: nothing to fill in; accepting is the confirmation. */
const CONFIRM_SCHEMA = { type: 'object', properties: {} };

/** Whether a request speaks 2026-07-28: it carries the revision's `_meta` envelope. */
export function isModernRequest(message: JsonRpcMessage): boolean {
  const meta = record(record(message.params)?._meta);
  return typeof meta?.['io.modelcontextprotocol/protocolVersion'] === 'string';
}

/** The approval step for a 2026-07-28 `tools/call`. */
export async function modernApproval(
  call: ApprovalCall,
  settings: ApprovalSettings & { desks: ApprovalDesks },
): Promise<Response> {
  const params = record(call.message.params) ?? {};
  const state = params.requestState;
  if (isGatewayRequestState(state)) return resume(call, settings, state, record(params.inputResponses));
  // The bridge's own state: the call was approved (or needed no approval) when it first ran, and the
  // bridge resumes only the call it holds for that state, whatever the retry names (container/README.md).
  if (typeof state === 'string') return call.run(call.message, auditWithout(call.requirement, 'continued'));

  const capabilities = record(record(params._meta)?.[CLIENT_CAPABILITIES_META_KEY]);
  const ask = askModeFor(call.requirement.by, elicitationModes(capabilities?.elicitation));
  if (!ask) return unavailable(call, 'no-elicitation', settings);
  const opened = await openApproval(call, settings, ask);
  if ('grant' in opened) return call.run(call.message, auditOfGrant(call.requirement, opened.grant));
  if ('refused' in opened) return unavailable(call, 'desk-refused', settings, opened.refused);
  const { approval } = opened.opened;
  const answer = await inputRequired(call, settings, approval, opened.opened.ref, true);
  call.record({ outcome: 'approval_required', errorCode: null, status: 200, approval: auditOfApproval(approval) });
  return answer;
}

/** A retry that carries the gateway's `requestState`. */
async function resume(
  call: ApprovalCall,
  settings: ApprovalSettings & { desks: ApprovalDesks },
  text: string,
  inputResponses: Record<string, unknown> | undefined,
): Promise<Response> {
  const opened = await openRequestState(text, settings.secret, {
    sub: call.caller.sub,
    clientId: call.clientId,
    tool: call.tool,
    argumentsDigest: call.argumentsDigest,
    now: Date.now(),
  });
  if (!opened.ok) return refuseState(call, opened.reason);
  const { state } = opened;
  const stub = settings.desks.byId(state.desk);
  if (!stub) return refuseState(call, 'unknown-desk');

  let approval: Approval | undefined;
  const answer = record(inputResponses?.[APPROVAL_INPUT_KEY]);
  if (answer) {
    const action = answer.action === 'accept' || answer.action === 'decline' ? answer.action : 'cancel';
    approval = await stub.answer(state.id, call.caller.sub, action);
  }
  approval =
    approval?.status === 'pending' || !approval
      ? await stub.wait(
          state.id,
          call.caller.sub,
          Math.min(state.expiresAt, Date.now() + (settings.roundMs ?? MODERN_ROUND_MS)),
        )
      : approval;
  if (!approval) return refuseState(call, 'unknown-approval', state.id);

  if (approval.status === 'approved') {
    const used = await stub.use(state.id, call.caller.sub);
    if (used?.status === 'used') return call.run(withoutApprovalInput(call.message), auditOfApproval(used));
    approval = used ?? approval;
  }
  if (approval.status === 'pending') {
    const ref = await formatRef(settings, state);
    // A form question the client left unanswered is asked again; a link was shown once.
    const again = await inputRequired(call, settings, approval, ref, approval.ask === 'form' && !answer);
    call.record({ outcome: 'approval_required', errorCode: null, status: 200, approval: auditOfApproval(approval) });
    return again;
  }
  if (approval.status === 'used') return refuseState(call, 'replayed', approval.id);
  const error = callError(call, errorCodeFor(approval.status), notRunMessage(approval, describeWait(settings.waitMs)), {
    approval: approval.status,
    rule: approval.rule,
  });
  call.record({
    outcome: outcomeFor(approval.status),
    errorCode: errorCodeFor(approval.status),
    status: 200,
    approval: auditOfApproval(approval),
  });
  return Response.json(error);
}

/** The `input_required` answer: the question (when asked) and a fresh signed state. */
async function inputRequired(
  call: ApprovalCall,
  settings: ApprovalSettings,
  approval: Approval,
  ref: string,
  ask: boolean,
): Promise<Response> {
  const [desk, id] = ref.split('.') as [string, string];
  const requestState = await mintRequestState(
    {
      desk,
      id,
      sub: call.caller.sub,
      clientId: call.clientId,
      tool: call.tool,
      argumentsDigest: call.argumentsDigest,
      expiresAt: approval.expiresAt,
    },
    settings.secret,
  );
  const wait = describeWait(approval.expiresAt - approval.requestedAt);
  const question =
    approval.ask === 'form'
      ? {
          method: 'elicitation/create',
          params: { mode: 'form', message: confirmQuestion(approval), requestedSchema: CONFIRM_SCHEMA },
        }
      : approval.ask === 'url'
        ? {
            method: 'elicitation/create',
            params: {
              mode: 'url',
              message: linkMessage(approval, wait),
              url: approvalPageUrl(settings.publicUrl, ref),
            },
          }
        : undefined;
  const result = {
    resultType: 'input_required',
    ...(ask && question ? { inputRequests: { [APPROVAL_INPUT_KEY]: question } } : {}),
    requestState,
  };
  return Response.json({ jsonrpc: '2.0', id: call.message.id, result });
}

/** The call as the server gets it: without the gateway's state and answer, which are not the server's. */
function withoutApprovalInput(message: JsonRpcMessage): JsonRpcMessage {
  const { requestState: _state, inputResponses, ...params } = record(message.params) ?? {};
  const responses = record(inputResponses);
  if (responses) {
    const { [APPROVAL_INPUT_KEY]: _answer, ...others } = responses;
    if (Object.keys(others).length > 0) params.inputResponses = others;
  }
  return { ...message, params };
}

/**
 * A `requestState` the gateway minted that does not open for this call: forged, expired, for
 * another person, client or call, or an approval already used. The client gets the fixed message
 * the MCP SDKs use for this case; the audit record says why.
 */
function refuseState(call: ApprovalCall, reason: string, id: string | null = null): Response {
  call.record({
    outcome: 'rejected',
    decision: 'reject',
    errorCode: ERROR_CODES.invalidParams,
    status: 200,
    approval: auditWithout(call.requirement, 'rejected', reason, id),
  });
  return Response.json(
    callError(call, ERROR_CODES.invalidParams, 'Invalid or expired requestState: call the tool again without it', {
      reason: 'invalid_request_state',
    }),
  );
}

function formatRef(settings: ApprovalSettings, state: ApprovalState): Promise<string> {
  return formatApprovalRef({ desk: state.desk, id: state.id }, settings.secret);
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}
