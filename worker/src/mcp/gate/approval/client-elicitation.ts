/**
 * What a client can be asked, from the `elicitation` capability it declared (at `initialize` in the
 * 2025 revisions, in every request's `_meta` envelope in 2026-07-28), and how the gateway asks for
 * each kind of approval. MCP elicitation (client/elicitation in the 2025-11-25 and 2026-07-28
 * specifications): `{}` means form mode only; `form` and `url` name the modes; a server must not
 * use a mode the client did not declare. Pure: no I/O.
 */
import type { Approver } from '../../../../../policies/model/approval.ts';
import type { AskMode } from '../../../approvals/approval-record.ts';

/** Elicitation modes a client declared. */
export type ElicitationMode = 'form' | 'url';

/**
 * The modes an `elicitation` capability declares: `{}` (or `true`, as some clients send) is form
 * only; anything that is not an object declares nothing.
 *
 * @example
 * ```ts
 * elicitationModes({}); // ['form']
 * elicitationModes({ url: {} }); // ['url']
 * elicitationModes(undefined); // []
 * ```
 */
export function elicitationModes(capability: unknown): ElicitationMode[] {
  if (capability === true) return ['form'];
  if (typeof capability !== 'object' || capability === null || Array.isArray(capability)) return [];
  const declared = capability as Record<string, unknown>;
  const modes: ElicitationMode[] = [];
  if ('form' in declared) modes.push('form');
  if ('url' in declared) modes.push('url');
  return modes.length > 0 ? modes : ['form'];
}

/**
 * How to ask for an approval: a self-confirmation is a form question when the client has forms,
 * else a link to the approval page; a group approval is a link when the client can show one, else
 * nothing (approvers find it on their page). `undefined`: there is no way to ask the caller, so the
 * call cannot run.
 *
 * @example
 * ```ts
 * askModeFor({ self: true }, ['form', 'url']); // 'form'
 * askModeFor({ group: 'sre' }, []); // 'none'
 * askModeFor({ self: true }, []); // undefined
 * ```
 */
export function askModeFor(by: Approver, modes: readonly ElicitationMode[]): AskMode | undefined {
  if ('self' in by) return modes.includes('form') ? 'form' : modes.includes('url') ? 'url' : undefined;
  return modes.includes('url') ? 'url' : 'none';
}
