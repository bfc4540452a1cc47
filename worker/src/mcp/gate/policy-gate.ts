/**
 * The gate every MCP request passes between sign-in and the server: read the body within bounds
 * and in one reading, decide each message under the policies, refuse or forward what was
 * decided, filter the answers and write the audit records.
 */
import type { RequestDecision } from '../../../../policies/engine/decide-request.ts';
import type { ToolPolicies } from '../../../../policies/model/tool-policy.ts';
import { mayNeedApproval } from '../../../../policies/engine/approvals.ts';
import { AnswerOutcomes } from './answer-outcomes.ts';
import { auditWithout, type ApprovalAudit } from './approval/approval-audit.ts';
import type { GateApprovals } from './approval/approval-step.ts';
import { argumentDigest } from './argument-digest.ts';
import { writeAuditRecord, type AuditRecord } from './audit-record.ts';
import { DEFAULT_BODY_LIMITS, type BodyLimits } from './body-limits.ts';
import { checkMcpHeaders } from './check-mcp-headers.ts';
import { gateClientAnswer } from './client-capabilities.ts';
import { decideMessages } from './decide-messages.ts';
import { DefinitionGuard, type PinnedDefinitionsCheck } from './drift/definition-guard.ts';
import type { DefinitionDriftRecord } from './drift/drift-record.ts';
import { probeList } from './drift/list-probe.ts';
import { limitCalls, type CallLimiter } from './rate-limit/limit-calls.ts';
import { rateLimitedResponse } from './rate-limit/rate-limited-response.ts';
import { deniedResponse } from './denied-response.ts';
import { filterMessage } from './filter-message.ts';
import { ERROR_CODES, jsonRpcErrorResponse, type JsonRpcMessage } from './json-rpc.ts';
import { readJsonRpcBody } from './read-json-rpc-body.ts';
import { rewriteSseEvents } from './sse-events.ts';

/** The verified person the gate decides for (the grant's props carry at least this). */
export interface GateUser {
  sub: string;
  email: string;
  name?: string;
  groups: string[];
}

/** What the gate needs besides the request: who asks, by which client, under which policy, and where allowed requests go. */
export interface GateContext<User extends GateUser = GateUser> {
  user: User;
  clientId: string | null;
  policies: ToolPolicies;
  /** Where an allowed request goes (an `Upstream` from select-upstream.ts). */
  upstream: { forward(request: Request, user: User): Promise<Response> };
  limits?: BodyLimits;
  /** Approvals (`approval/gate-approvals.ts`); absent, a call an approve rule matches is refused. */
  approvals?: GateApprovals;
  /** Counts calls for the rules' rate limits; absent, a call under a rate limit is refused (fail closed). */
  rateLimiter?: CallLimiter;
  /** Pinned definitions (policies/inventory.yaml) and the drift mode; absent, definitions are not checked. */
  definitions?: PinnedDefinitionsCheck;
  /** Where audit records go; `console.log` as a JSON line unless a test listens. */
  audit?: (record: AuditRecord | DefinitionDriftRecord) => void;
}

type Outcome = AuditRecord['outcome'];

/**
 * The policy gate for one authorized `/mcp` request (docs/security.md 11, 14, 15), as small
 * steps: read the body within bounds; check `Mcp-Method`/`Mcp-Name` against it; take out the
 * client's answers to the gateway's own questions; decide every message; answer denials without
 * reaching the server; hold a call an approve rule matches until a person approves it; forward
 * the rest; filter every list in the answer (JSON or SSE); write one audit record per message.
 *
 * @example
 * ```ts
 * return runPolicyGate(request, { user: ctx.props, clientId: ctx.auth?.clientId ?? null, policies: toolPolicies, upstream });
 * ```
 */
export async function runPolicyGate<User extends GateUser>(
  request: Request,
  context: GateContext<User>,
): Promise<Response> {
  const started = Date.now();
  const audit: (record: AuditRecord | DefinitionDriftRecord) => void = context.audit ?? writeAuditRecord;
  const identity = { email: context.user.email, groups: context.user.groups };
  const base = {
    event: 'mcp_request' as const,
    time: new Date(started).toISOString(),
    requestId: crypto.randomUUID(),
    user: { sub: context.user.sub, email: context.user.email, groups: context.user.groups },
    clientId: context.clientId,
    httpMethod: request.method,
  };
  const record = (fields: Omit<AuditRecord, keyof typeof base | 'latencyMs'>) =>
    audit({ ...base, ...fields, latencyMs: Date.now() - started });
  const definitions = definitionGuardFor(request, context, base.requestId, audit);

  if (request.method !== 'POST')
    return forwardStream(request, context, definitions, (status) =>
      record({
        method: null,
        jsonRpcId: null,
        target: null,
        decision: 'allow',
        rule: 'protocol',
        outcome: status >= 500 ? 'upstream_error' : 'forwarded',
        errorCode: null,
        status,
        argumentsDigest: null,
      }),
    );

  const body = await readJsonRpcBody(request, context.limits ?? DEFAULT_BODY_LIMITS);
  if (!body.ok) {
    record({
      method: null,
      jsonRpcId: null,
      target: null,
      decision: 'reject',
      rule: body.rule,
      outcome: 'rejected',
      errorCode: body.code,
      status: body.status,
      argumentsDigest: null,
    });
    return jsonRpcErrorResponse(body.status, body.code, body.message);
  }
  const { batch } = body;
  let { messages } = body;

  const mismatch = checkMcpHeaders(request.headers, messages);
  if (mismatch) {
    const first = messages[0]!;
    record({
      method: first.method ?? null,
      jsonRpcId: first.id ?? null,
      target: null,
      decision: 'reject',
      rule: 'mcp-headers',
      outcome: 'rejected',
      errorCode: ERROR_CODES.headerMismatch,
      status: 400,
      argumentsDigest: null,
    });
    return jsonRpcErrorResponse(400, ERROR_CODES.headerMismatch, mismatch, batch ? null : (first.id ?? null));
  }

  // The client's answers to the gateway's own questions are the gateway's, never the server's.
  const approvals = context.approvals;
  if (approvals && messages.some((message) => approvals.isGatewayAnswer(message))) {
    const answers = messages.filter((message) => approvals.isGatewayAnswer(message));
    for (const { message, approval, tool, argumentsDigest } of await approvals.takeGatewayAnswers(
      answers,
      context.user,
    ))
      record({
        method: null,
        jsonRpcId: message.id ?? null,
        target: tool ? { kind: 'tool', name: tool } : null,
        decision: 'allow',
        rule: approval?.rule ?? 'approval-answer',
        outcome: approval ? 'ok' : 'rejected',
        errorCode: null,
        status: 202,
        argumentsDigest,
        ...(approval ? { approval } : {}),
      });
    messages = messages.filter((message) => !approvals.isGatewayAnswer(message));
    if (messages.length === 0) return new Response(null, { status: 202 });
  }

  const decisions = decideMessages(context.policies, identity, messages);
  if (definitions && decisions.every((decision) => decision.allowed)) {
    // The old HTTP+SSE transport answers on its stream, never on the POST: the gate cannot ask it.
    const legacySse = new URL(request.url).pathname.endsWith('/messages');
    await checkCalledDefinitions(
      definitions,
      messages,
      decisions,
      legacySse
        ? undefined
        : (kind, message) =>
            probeList(request, message.params, kind, (probe) => context.upstream.forward(probe, context.user)),
    );
  }
  const digests = await Promise.all(messages.map(digestOf));
  // Roots only where the policy allows them (docs/security.md 21).
  const gated = messages.map((message) => gateClientAnswer(context.policies, identity, message));
  const recordAll = (
    status: number,
    outcomeOf: (message: JsonRpcMessage, decision: RequestDecision) => { outcome: Outcome; errorCode: number | null },
    approval?: ApprovalAudit,
  ) =>
    messages.forEach((message, index) => {
      const decision = decisions[index]!;
      const changed = gated[index]!.change;
      record({
        method: message.method ?? null,
        jsonRpcId: message.id ?? null,
        target: decision.target ?? null,
        decision: decision.allowed ? 'allow' : 'deny',
        rule: decision.rule,
        ...outcomeOf(message, decision),
        status,
        argumentsDigest: digests[index]!,
        ...(changed ? { changed } : {}),
        ...(approval && decision.approval ? { approval } : {}),
      });
    });

  // A call that waits for a person must come alone: its answer is a stream or a question of its own.
  if (batch && decisions.some((decision) => decision.approval))
    decisions.forEach((decision, index) => {
      if (decision.approval)
        decisions[index] = {
          ...decision,
          allowed: false,
          reason: `tool ${decision.target?.name} needs approval (rule "${decision.approval.rule}"), and a call that waits for approval must be sent on its own, not in a batch.`,
        };
    });

  if (decisions.some((decision) => !decision.allowed)) {
    const response = deniedResponse(messages, decisions, batch);
    recordAll(response.status, (_message, decision) => ({
      outcome: decision.allowed ? 'not_run' : 'denied',
      errorCode: ERROR_CODES.forbiddenByPolicy,
    }));
    return response;
  }

  const limited = await limitCalls(context.policies, decisions, {
    person: context.user.sub,
    clientId: context.clientId,
    limiter: context.rateLimiter,
  });
  if (limited) {
    const response = rateLimitedResponse(messages, limited, batch);
    decisions[limited.index] = { ...decisions[limited.index]!, allowed: false, reason: limited.reason };
    recordAll(response.status, (_message, decision) => ({
      outcome: decision.allowed ? 'not_run' : 'rate_limited',
      errorCode: ERROR_CODES.rateLimited,
    }));
    return response;
  }

  // A client that gives up on a call waiting for approval withdraws the approval first.
  if (approvals && mayNeedApproval(context.policies, identity))
    for (const message of messages)
      if (message.method === 'notifications/cancelled')
        await approvals.withdrawCancelled(message, request, context.user);

  /**
   * Forwards the decided messages and answers the client, lists filtered, one record per message at
   * the end. What the server gets is the gate's own serialization of what it decided (after an
   * approval too), never the client's text: one reading, whatever the server's JSON decoder
   * (docs/security.md 18).
   */
  const send = async (decided: JsonRpcMessage | JsonRpcMessage[], approval?: ApprovalAudit): Promise<Response> => {
    const headers = new Headers(request.headers);
    headers.delete('content-length');
    const forwarded = new Request(request.url, { method: 'POST', headers, body: JSON.stringify(decided) });
    const response = await context.upstream.forward(forwarded, context.user);
    const outcomes = new AnswerOutcomes();
    const finish = (ending: Outcome | undefined) =>
      recordAll(response.status, (message) => outcomes.outcomeOf(message, response.status, ending), approval);
    if (approvals && mayNeedApproval(context.policies, identity))
      await approvals.rememberSession(gated[0]!.message, response, context.user);

    const filter = (message: unknown) => {
      outcomes.observe(message);
      const shown = (one: unknown) =>
        filterMessage(context.policies, identity, definitions ? definitions.filter(one) : one);
      return Array.isArray(message) ? message.map(shown) : shown(message);
    };
    return filterAnswer(response, filter, (reason) =>
      finish(reason === 'cancelled' ? 'client_closed' : reason === 'failed' ? 'upstream_error' : undefined),
    );
  };

  const waiting = decisions[0]?.approval;
  const call = gated[0]!.message;
  if (waiting && !batch && call.id !== undefined && call.id !== null) {
    const recordCall = (fields: {
      outcome: Outcome;
      errorCode: number | null;
      status: number;
      decision?: AuditRecord['decision'];
      approval: ApprovalAudit;
    }) =>
      record({
        method: call.method ?? null,
        jsonRpcId: call.id ?? null,
        target: decisions[0]!.target ?? null,
        decision: fields.decision ?? 'allow',
        rule: decisions[0]!.rule,
        outcome: fields.outcome,
        errorCode: fields.errorCode,
        status: fields.status,
        argumentsDigest: digests[0]!,
        approval: fields.approval,
      });
    if (!approvals) {
      // Fail closed: without the approval step nobody can approve, so the call cannot run.
      recordCall({
        outcome: 'approval_unavailable',
        errorCode: ERROR_CODES.forbiddenByPolicy,
        status: 200,
        approval: auditWithout(waiting, 'unavailable', 'no-approvals'),
      });
      return jsonRpcErrorResponse(
        200,
        ERROR_CODES.forbiddenByPolicy,
        `Not run: tool ${decisions[0]!.target!.name} needs approval (rule "${waiting.rule}"), and this gateway has no approvals configured.`,
        call.id,
      );
    }
    return approvals.require({
      request,
      message: call as JsonRpcMessage & { method: string; id: string | number },
      tool: decisions[0]!.target!.name,
      requirement: waiting,
      argumentsDigest: digests[0]!,
      caller: context.user,
      clientId: context.clientId,
      run: (message, approval) => send(message, approval),
      record: recordCall,
    });
  }
  return send(batch ? gated.map((one) => one.message) : gated[0]!.message);
}

/** GET (the server's stream) and DELETE: no body to decide; lists on a resumed stream are still filtered. */
async function forwardStream<User extends GateUser>(
  request: Request,
  context: GateContext<User>,
  definitions: DefinitionGuard | undefined,
  recordStatus: (status: number) => void,
): Promise<Response> {
  const identity = { email: context.user.email, groups: context.user.groups };
  const response = await context.upstream.forward(request, context.user);
  recordStatus(response.status);
  return filterAnswer(
    response,
    (message) => filterMessage(context.policies, identity, definitions ? definitions.filter(message) : message),
    () => {},
  );
}

/** The pinned-definitions step for this request, keyed by user and MCP session; undefined when not configured. */
function definitionGuardFor<User extends GateUser>(
  request: Request,
  context: GateContext<User>,
  requestId: string,
  audit: (record: AuditRecord | DefinitionDriftRecord) => void,
): DefinitionGuard | undefined {
  if (!context.definitions) return undefined;
  const session = `${context.user.sub}\u0000${request.headers.get('mcp-session-id') ?? ''}`;
  return new DefinitionGuard(context.definitions, session, (drift) =>
    audit({
      event: 'definition_drift',
      time: new Date().toISOString(),
      requestId,
      user: { sub: context.user.sub, email: context.user.email, groups: context.user.groups },
      clientId: context.clientId,
      ...drift,
      mode: context.definitions!.mode,
    }),
  );
}

/** Replaces the decision of each call whose definition is not the pinned one with a refusal. */
async function checkCalledDefinitions(
  guard: DefinitionGuard,
  messages: readonly JsonRpcMessage[],
  decisions: RequestDecision[],
  probe: ((kind: 'tool' | 'prompt', message: JsonRpcMessage) => Promise<Record<string, unknown>[]>) | undefined,
): Promise<void> {
  for (const [index, message] of messages.entries()) {
    const refusal = await guard.checkCall(message, probe && ((kind) => probe(kind, message)));
    if (refusal) decisions[index] = { allowed: false, ...refusal, target: decisions[index]!.target };
  }
}

/**
 * How long an event stream to the client may stay quiet before the gate writes a comment on it.
 * A dropped client is noticed only by writing to it (sse-events.ts), and the gate must notice it to
 * end the upstream request, which keeps a container awake: an MCP stream may carry nothing for
 * hours, and a server's own keep-alive (the bridge's, every 15 s) is not the gateway's to rely on.
 * A few bytes every 5 s per quiet stream.
 */
const STREAM_HEARTBEAT_MS = 5_000;

/**
 * Applies `filter` to every JSON-RPC message of an answer: a JSON body is parsed and
 * rewritten; an SSE body is rewritten event by event as it streams, with a heartbeat while
 * it is quiet; anything else passes untouched. `onEnd` runs once the client has the whole
 * answer (or left).
 */
async function filterAnswer(
  response: Response,
  filter: (message: unknown) => unknown,
  onEnd: (reason: 'complete' | 'cancelled' | 'failed') => void,
): Promise<Response> {
  const mediaType = (response.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (mediaType === 'text/event-stream' && response.body) {
    // workers-types leaves a body's chunk type open (`any`); the runtime's bodies are byte streams.
    const bytes = response.body as ReadableStream<Uint8Array>;
    const body = rewriteSseEvents(bytes, (data) => rewriteJson(data, filter), onEnd, {
      heartbeatMs: STREAM_HEARTBEAT_MS,
    });
    return new Response(body, { status: response.status, headers: response.headers });
  }
  if (mediaType === 'application/json') {
    const text = await response.text();
    const rewritten = rewriteJson(text, filter);
    onEnd('complete');
    if (rewritten === undefined) return new Response(text, { status: response.status, headers: response.headers });
    const headers = new Headers(response.headers);
    headers.delete('content-length');
    return new Response(rewritten, { status: response.status, headers });
  }
  onEnd('complete');
  return response;
}

/** New JSON text when `filter` changed the message, `undefined` when it did not (or the text is not JSON). */
function rewriteJson(text: string, filter: (message: unknown) => unknown): string | undefined {
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch {
    return undefined;
  }
  const filtered = filter(message);
  if (filtered === message) return undefined;
  if (Array.isArray(message) && Array.isArray(filtered) && filtered.every((one, index) => one === message[index]))
    return undefined;
  return JSON.stringify(filtered);
}

async function digestOf(message: JsonRpcMessage): Promise<string | null> {
  if (message.method !== 'tools/call' && message.method !== 'prompts/get') return null;
  const args = (message.params as { arguments?: unknown } | undefined)?.arguments;
  return argumentDigest(args ?? {});
}
