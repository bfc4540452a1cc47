/**
 * The address of one approval: which desk holds it (the Durable Object's id, 64 hex digits) and
 * its id there, signed, as `<desk>.<id>.<mac>`. It is the last part of the approval page's URL
 * and of the id the gateway gives its `elicitation/create` requests. The signature lets the Worker
 * refuse a made-up or altered address before it touches storage; the address is never proof of
 * who may decide (the page signs the person in and the desk checks them, docs/policies.md).
 */
import { signFor, verifyFor } from './approval-keys.ts';

/** One approval: its desk (a Durable Object id as hex) and its random id in that desk. */
export interface ApprovalRef {
  desk: string;
  id: string;
}

const REF_SHAPE = /^([0-9a-f]{64})\.([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/;

/**
 * The signed text of an approval's address.
 *
 * @example
 * ```ts
 * const text = await formatApprovalRef({ desk: id.toString(), id: approval.id }, config.cookieSecret);
 * const url = `${config.publicUrl}/approvals/${text}`;
 * ```
 */
export async function formatApprovalRef(ref: ApprovalRef, secret: string): Promise<string> {
  const unsigned = `${ref.desk}.${ref.id}`;
  return `${unsigned}.${await signFor(secret, 'approval-ref', unsigned)}`;
}

/**
 * The approval an address names, or `undefined` when the text is not one this Worker signed.
 *
 * @example
 * ```ts
 * const ref = await parseApprovalRef(pathname.slice('/approvals/'.length), config.cookieSecret);
 * if (!ref) return errorPage(404, 'No such approval', '…');
 * ```
 */
export async function parseApprovalRef(text: string, secret: string): Promise<ApprovalRef | undefined> {
  const match = REF_SHAPE.exec(text);
  if (!match) return undefined;
  const [, desk, id, mac] = match as unknown as [string, string, string, string];
  if (!(await verifyFor(secret, 'approval-ref', `${desk}.${id}`, mac))) return undefined;
  return { desk, id };
}
