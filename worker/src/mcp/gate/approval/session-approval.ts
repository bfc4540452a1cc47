/**
 * Approval for 2025 clients (2025-06-18 and 2025-11-25): the gateway answers the call with its own
 * event stream and puts the question on it as a server-to-client `elicitation/create` request,
 * with an id only the gateway issues (`GATEWAY_REQUEST_PREFIX`). The client's answer arrives as a
 * separate POST carrying a JSON-RPC response to that id; `gateway-answers.ts` takes it out before
 * anything reaches the server and hands it to the desk, which wakes this stream (possibly in
 * another isolate: the desk is the one place both meet). A group approval shows the approval page
 * as a link when the client has URL-mode elicitation, and progress notifications say what the call
 * waits for when the client asked for progress. Once approved, the call goes to the server and its
 * answer follows on the same stream; otherwise the stream ends with the call's error. What the
 * client declared at `initialize` is remembered per session on the caller's own desk
 * (`session-elicitation.ts`).
 */
import {
  confirmQuestion,
  describeWait,
  linkMessage,
  notRunMessage,
  waitingMessage,
} from '../../../approvals/approval-question.ts';
import type { ApprovalDesks } from '../../../approvals/approval-desks.ts';
import { deskName } from '../../../approvals/approval-desks.ts';
import type { Approval } from '../../../approvals/approval-record.ts';
import type { JsonRpcMessage } from '../json-rpc.ts';
import { auditOfApproval, auditOfGrant } from './approval-audit.ts';
import {
  callError,
  errorCodeFor,
  openApproval,
  outcomeFor,
  type ApprovalSettings,
  type OpenedApproval,
} from './approval-call.ts';
import type { ApprovalCall } from './approval-step.ts';
import { askModeFor, type ElicitationMode } from './client-elicitation.ts';
import { unavailable } from './unavailable.ts';

/** Ids of the gateway's own requests to a client start with this; the bridge's never do (they are numbers). */
export const GATEWAY_REQUEST_PREFIX = 'secure-mcp-approval:';
/** How long the stream waits between keep-alives and progress notifications. */
const SESSION_ROUND_MS = 15_000;
const CONFIRM_SCHEMA = { type: 'object', properties: {} };

/** The approval step for a 2025 `tools/call`. */
export async function sessionApproval(
  call: ApprovalCall,
  settings: ApprovalSettings & { desks: ApprovalDesks },
): Promise<Response> {
  const modes = await sessionModes(call, settings);
  const ask = askModeFor(call.requirement.by, modes ?? []);
  if (!ask) return unavailable(call, modes === undefined ? 'no-session' : 'no-elicitation', settings);
  const opened = await openApproval(call, settings, ask);
  if ('grant' in opened) return call.run(call.message, auditOfGrant(call.requirement, opened.grant));
  if ('refused' in opened) return unavailable(call, 'desk-refused', settings, opened.refused);
  const sessionId = call.request.headers.get('mcp-session-id');
  if (sessionId) {
    // So that the client's notifications/cancelled for this call withdraws the approval (cancelled-calls.ts).
    const { stub } = settings.desks.named(deskName({ self: true }, call.caller));
    const [desk] = opened.opened.ref.split('.') as [string];
    await stub.noteWait(
      sessionId,
      JSON.stringify(call.message.id),
      desk,
      opened.opened.approval.id,
      opened.opened.approval.expiresAt,
    );
  }
  return new Response(questionStream(call, settings, opened.opened), {
    headers: { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' },
  });
}

/** The elicitation modes this session's client declared, or undefined for a request without a session. */
async function sessionModes(
  call: ApprovalCall,
  settings: ApprovalSettings & { desks: ApprovalDesks },
): Promise<ElicitationMode[] | undefined> {
  const sessionId = call.request.headers.get('mcp-session-id');
  if (!sessionId) return undefined;
  const { stub } = settings.desks.named(deskName({ self: true }, call.caller));
  return ((await stub.sessionModes(sessionId)) ?? []) as ElicitationMode[];
}

/**
 * The call's event stream: the question, keep-alives while it waits, then the server's answer or
 * the call's error. The client closing the stream withdraws the approval.
 */
function questionStream(
  call: ApprovalCall,
  settings: ApprovalSettings,
  { approval: opened, stub, ref, pageUrl }: OpenedApproval,
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  /** `closed`: the client left (or the stream ended); `settled`: the wait is over, the call ran or failed. */
  const state = { closed: false, settled: false };
  /** The server's answer while it streams, so a client that leaves also stops it. */
  const upstream: { reader?: ReadableStreamDefaultReader<Uint8Array> } = {};
  const progressToken = (call.message.params as { _meta?: { progressToken?: unknown } } | undefined)?._meta
    ?.progressToken;
  const wait = describeWait(settings.waitMs);

  return new ReadableStream<Uint8Array>({
    start(controller) {
      const send = (message: JsonRpcMessage) => {
        if (!state.closed) controller.enqueue(encoder.encode(`event: message\ndata: ${JSON.stringify(message)}\n\n`));
      };
      const end = () => {
        if (!state.closed) controller.close();
        state.closed = true;
      };
      const fail = (approval: Approval) => {
        const code = errorCodeFor(approval.status);
        send(callError(call, code, notRunMessage(approval, wait), { approval: approval.status, rule: approval.rule }));
        call.record({
          outcome: outcomeFor(approval.status),
          errorCode: code,
          status: 200,
          approval: auditOfApproval(approval),
        });
        end();
      };

      void (async () => {
        if (opened.ask === 'form')
          send({
            jsonrpc: '2.0',
            id: `${GATEWAY_REQUEST_PREFIX}${ref}`,
            method: 'elicitation/create',
            params: { mode: 'form', message: confirmQuestion(opened), requestedSchema: CONFIRM_SCHEMA },
          });
        else if (opened.ask === 'url')
          send({
            jsonrpc: '2.0',
            id: `${GATEWAY_REQUEST_PREFIX}${ref}`,
            method: 'elicitation/create',
            params: { mode: 'url', elicitationId: ref, url: pageUrl, message: linkMessage(opened, wait) },
          });
        let approval: Approval | undefined = opened;
        for (let round = 1; approval?.status === 'pending' && !state.closed; round++) {
          if (progressToken !== undefined)
            send({
              jsonrpc: '2.0',
              method: 'notifications/progress',
              params: { progressToken, progress: round, message: waitingMessage(opened, pageUrl) },
            });
          approval = await stub.wait(
            opened.id,
            call.caller.sub,
            Math.min(opened.expiresAt, Date.now() + (settings.roundMs ?? SESSION_ROUND_MS)),
          );
          if (approval?.status === 'pending' && !state.closed)
            controller.enqueue(encoder.encode(': waiting for approval\n\n'));
        }
        if (state.closed) return;
        if (approval?.status === 'approved') approval = await stub.use(opened.id, call.caller.sub);
        state.settled = true;
        if (!approval) return fail({ ...opened, status: 'withdrawn' });
        if (approval.status !== 'used') return fail(approval);
        if (opened.ask === 'url')
          send({ jsonrpc: '2.0', method: 'notifications/elicitation/complete', params: { elicitationId: ref } });
        await pipeAnswer(call, await call.run(call.message, auditOfApproval(approval)), controller, upstream);
        end();
      })().catch(() => {
        if (state.closed) return;
        state.settled = true;
        fail({ ...opened, status: 'withdrawn' });
      });
    },
    async cancel(reason) {
      state.closed = true;
      if (state.settled) {
        await upstream.reader?.cancel(reason).catch(() => {});
      } else {
        const approval = await stub.withdraw(opened.id, call.caller.sub).catch(() => undefined);
        call.record({
          outcome: 'client_closed',
          errorCode: null,
          status: 200,
          approval: auditOfApproval(approval ?? { ...opened, status: 'withdrawn' }),
        });
      }
    },
  });
}

/**
 * Puts the server's answer on the call's stream: an event stream as it comes (the gate has
 * filtered it already), a JSON answer as one event, and an HTTP failure as the call's error.
 */
async function pipeAnswer(
  call: ApprovalCall,
  response: Response,
  controller: ReadableStreamDefaultController<Uint8Array>,
  upstream: { reader?: ReadableStreamDefaultReader<Uint8Array> },
): Promise<void> {
  const encoder = new TextEncoder();
  const mediaType = (response.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (mediaType === 'text/event-stream' && response.body) {
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    upstream.reader = reader;
    for (;;) {
      const chunk = await reader.read();
      if (chunk.done) return;
      controller.enqueue(chunk.value);
    }
  }
  const text = await response.text();
  let answer: unknown;
  try {
    answer = JSON.parse(text);
  } catch {
    answer = undefined;
  }
  if (typeof answer === 'object' && answer !== null && !Array.isArray(answer)) {
    // An error the server gave before it knew the call (an unknown session) still belongs to it.
    const message = answer as JsonRpcMessage;
    const ofCall = message.id === null || message.id === undefined ? { ...message, id: call.message.id } : message;
    controller.enqueue(encoder.encode(`event: message\ndata: ${JSON.stringify(ofCall)}\n\n`));
    return;
  }
  const failed = callError(call, -32000, `The MCP server answered HTTP ${response.status}`);
  controller.enqueue(encoder.encode(`event: message\ndata: ${JSON.stringify(failed)}\n\n`));
}
