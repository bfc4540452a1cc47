/**
 * The seam between the policy gate and approvals: what the gate hands the approval step for one
 * call, and the operations the step offers the gate. The gate only knows this interface
 * (`gate-approvals.ts` builds it over the desks), so it stays free of Durable Object types and
 * runs anywhere the gate runs (the Worker, its tests, the benchmarks in Node).
 */
import type { ApprovalRequirement } from '../../../../../policies/model/approval.ts';
import type { AuditRecord } from '../audit-record.ts';
import type { JsonRpcMessage } from '../json-rpc.ts';
import type { ApprovalAudit } from './approval-audit.ts';

/** The person a call is for, as the gate knows them. */
interface ApprovalCaller {
  sub: string;
  email: string;
  name?: string;
  groups: string[];
}

/** One call that needs approval, with what the gate does for it. */
export interface ApprovalCall {
  request: Request;
  /** The `tools/call` request, as the gate decided it. */
  message: JsonRpcMessage & { method: string; id: string | number };
  tool: string;
  requirement: ApprovalRequirement;
  argumentsDigest: string;
  caller: ApprovalCaller;
  clientId: string | null;
  /**
   * Runs the call: forwards `message` to the server the way the gate forwards any allowed call
   * (lists filtered, one audit record at the end, carrying `approval`) and returns the client's answer.
   */
  run(message: JsonRpcMessage, approval: ApprovalAudit): Promise<Response>;
  /** Writes the call's audit record for an answer the gateway gives itself. */
  record(fields: {
    outcome: AuditRecord['outcome'];
    errorCode: number | null;
    status: number;
    decision?: AuditRecord['decision'];
    approval: ApprovalAudit;
  }): void;
}

/** A client's answer to one of the gateway's own questions, as the gate records it. */
interface TakenGatewayAnswer {
  message: JsonRpcMessage;
  /** What the desk made of it; undefined when it is not this caller's or names no approval. */
  approval: ApprovalAudit | undefined;
  tool: string | null;
  argumentsDigest: string | null;
}

/** What the approval step offers the gate. */
export interface GateApprovals {
  /** Whether a message is a client's response to a request the gateway itself sent. */
  isGatewayAnswer(message: JsonRpcMessage): boolean;
  /** Hands such answers to their desks, for this caller. */
  takeGatewayAnswers(answers: readonly JsonRpcMessage[], caller: ApprovalCaller): Promise<TakenGatewayAnswer[]>;
  /** Asks for the call's approval, runs it once approved, or answers its error. */
  require(call: ApprovalCall): Promise<Response>;
  /** After an `initialize` was forwarded: remembers what the session's client can be asked. */
  rememberSession(message: JsonRpcMessage, response: Response, caller: ApprovalCaller): Promise<void>;
  /** Before a `notifications/cancelled` goes on: withdraws the approval the cancelled call waits for. */
  withdrawCancelled(message: JsonRpcMessage, request: Request, caller: ApprovalCaller): Promise<void>;
}
