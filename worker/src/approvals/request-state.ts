/**
 * The `requestState` the gateway puts in an `input_required` result (MCP 2026-07-28) when a call
 * waits for approval. It comes back through the client, so it is attacker-controlled input, and
 * it decides whether a call runs: the spec's basic/patterns/mrtr server requirements 4 and 5 ask
 * for integrity protection and for binding it to the person, a short expiry and the request. So it
 * is signed (HMAC, `approval-keys.ts`) and binds the approval, the person (`sub`), the OAuth
 * client, the tool and the digest of the call's arguments, and an expiry; it carries no secret,
 * since the client can read it. Single use is enforced by the desk, not here: the approval it
 * names is marked used when the call runs (the spec's warning: a signature alone does not stop a
 * replay within the expiry).
 *
 * The bridge mints `requestState` values of its own when the stdio server asks the client
 * something during a call; those are random base64url without a dot, so the prefix tells the two
 * apart (container/README.md).
 */
import { signFor, verifyFor } from './approval-keys.ts';
import { fromBase64url, toBase64url } from '../base64url.ts';

/** What every gateway `requestState` starts with. */
export const REQUEST_STATE_PREFIX = 'secure-mcp-approval.';

/** What a gateway `requestState` carries. */
export interface ApprovalState {
  /** The approval, as `<desk>.<id>` (see approval-ref.ts). */
  desk: string;
  id: string;
  /** The person (the grant's `sub`) and the OAuth client the call came from. */
  sub: string;
  clientId: string | null;
  /** The call: tool name and the digest of its arguments (`argument-digest.ts`). */
  tool: string;
  argumentsDigest: string;
  /** Epoch milliseconds after which the state is refused. */
  expiresAt: number;
}

/** Why a `requestState` was refused (for the audit record; the client gets one fixed message). */
export type StateRefusal = 'malformed' | 'forged' | 'expired' | 'other-person' | 'other-client' | 'other-call';

/**
 * Signs an approval state.
 *
 * @example
 * ```ts
 * const requestState = await mintRequestState({ desk, id, sub, clientId, tool: 'echo', argumentsDigest, expiresAt }, config.cookieSecret);
 * ```
 */
export async function mintRequestState(state: ApprovalState, secret: string): Promise<string> {
  const payload = toBase64url(
    JSON.stringify([
      state.desk,
      state.id,
      state.sub,
      state.clientId,
      state.tool,
      state.argumentsDigest,
      state.expiresAt,
    ]),
  );
  return `${REQUEST_STATE_PREFIX}${payload}.${await signFor(secret, 'request-state', payload)}`;
}

/** Whether a `requestState` is one the gateway mints (it may still be forged). */
export function isGatewayRequestState(value: unknown): value is string {
  return typeof value === 'string' && value.startsWith(REQUEST_STATE_PREFIX);
}

/**
 * Opens a gateway `requestState` for the call that carries it: the signature must verify, the
 * expiry must lie ahead, and person, client, tool and argument digest must be this call's.
 *
 * @example
 * ```ts
 * const opened = await openRequestState(params.requestState, config.cookieSecret, { sub, clientId, tool, argumentsDigest, now: Date.now() });
 * if (!opened.ok) return refuse(opened.reason);
 * ```
 */
export async function openRequestState(
  text: string,
  secret: string,
  call: Pick<ApprovalState, 'sub' | 'clientId' | 'tool' | 'argumentsDigest'> & { now: number },
): Promise<{ ok: true; state: ApprovalState } | { ok: false; reason: StateRefusal }> {
  if (!isGatewayRequestState(text)) return { ok: false, reason: 'malformed' };
  const [payload, mac, ...rest] = text.slice(REQUEST_STATE_PREFIX.length).split('.');
  if (!payload || !mac || rest.length > 0) return { ok: false, reason: 'malformed' };
  if (!(await verifyFor(secret, 'request-state', payload, mac))) return { ok: false, reason: 'forged' };
  const state = decode(payload);
  if (!state) return { ok: false, reason: 'malformed' };
  if (state.expiresAt <= call.now) return { ok: false, reason: 'expired' };
  if (state.sub !== call.sub) return { ok: false, reason: 'other-person' };
  if (state.clientId !== call.clientId) return { ok: false, reason: 'other-client' };
  if (state.tool !== call.tool || state.argumentsDigest !== call.argumentsDigest)
    return { ok: false, reason: 'other-call' };
  return { ok: true, state };
}

function decode(payload: string): ApprovalState | undefined {
  const bytes = fromBase64url(payload);
  if (!bytes) return undefined;
  let fields: unknown;
  try {
    fields = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return undefined;
  }
  if (!Array.isArray(fields) || fields.length !== 7) return undefined;
  const [desk, id, sub, clientId, tool, argumentsDigest, expiresAt] = fields as unknown[];
  if (
    typeof desk !== 'string' ||
    typeof id !== 'string' ||
    typeof sub !== 'string' ||
    (typeof clientId !== 'string' && clientId !== null) ||
    typeof tool !== 'string' ||
    typeof argumentsDigest !== 'string' ||
    typeof expiresAt !== 'number'
  )
    return undefined;
  return { desk, id, sub, clientId, tool, argumentsDigest, expiresAt };
}
