/**
 * The audit record of a successful sign-in (docs/security.md 15, docs/audit.md#sign-ins): who signed
 * in, through which OAuth client, under which opaque user id (the one every code and token they get
 * carries, so a token seen in a log leads here). Refused sign-ins are logged as `sign_in.refused`
 * with the reason; a record of each success is what lets an operator answer "who had access, and
 * since when" without reading grants.
 */

/** One successful sign-in, as one JSON line. */
export interface SignInRecord {
  event: 'sign_in';
  /** When the person signed in (ISO 8601, UTC): the `signedInAt` a revocation mark is compared with. */
  time: string;
  /** The opaque user id their grants are filed under and their codes and tokens carry (access/user-id.ts). */
  userId: string;
  /** The verified claims, as `mcp_request` records carry them. */
  user: { sub: string; email: string; groups: string[] };
  /** The MCP client the sign-in was for. */
  clientId: string;
}

/**
 * Writes one sign-in record with `console.log`, as the gate writes `mcp_request` records.
 *
 * @example
 * ```ts
 * writeSignInRecord({ event: 'sign_in', time, userId, user: { sub, email, groups }, clientId });
 * ```
 */
export function writeSignInRecord(record: SignInRecord): void {
  console.log(JSON.stringify(record));
}
