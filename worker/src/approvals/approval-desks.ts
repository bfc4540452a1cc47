/**
 * How the Worker finds a desk (`approval-desk.ts`): by the decider a rule names (`group:<name>`,
 * or the caller's own `person:<sub>` desk for self-confirmation), or by the desk part of an
 * approval's address. The address carries the Durable Object's id as hex, never the name, so a
 * page URL does not spell out anyone's `sub`.
 */
import type { Decider, Person } from './approval-record.ts';
import type { ApprovalDesk } from './approval-desk.ts';

/** The desk names: one per approving group, one per person. */
export function deskName(by: Decider, caller: Pick<Person, 'sub'>): string {
  return 'self' in by ? `person:${caller.sub}` : `group:${by.group}`;
}

/**
 * The approval desks of this Worker (the `APPROVAL_DESK` namespace).
 *
 * @example
 * ```ts
 * const desks = new ApprovalDesks(env.APPROVAL_DESK);
 * const { stub, desk } = desks.named(deskName({ group: 'sre' }, caller));
 * ```
 */
export class ApprovalDesks {
  constructor(readonly namespace: DurableObjectNamespace<ApprovalDesk>) {}

  /** A desk by name, with its id as hex (the `desk` of an approval's address). */
  named(name: string): { stub: DurableObjectStub<ApprovalDesk>; desk: string } {
    const id = this.namespace.idFromName(name);
    return { stub: this.namespace.get(id), desk: id.toString() };
  }

  /**
   * A desk by the hex id an address carries; undefined when it is not an id of this namespace
   * (`idFromString` throws for those: developers.cloudflare.com/durable-objects/api/namespace/).
   */
  byId(desk: string): DurableObjectStub<ApprovalDesk> | undefined {
    try {
      return this.namespace.get(this.namespace.idFromString(desk));
    } catch {
      return undefined;
    }
  }
}
