/**
 * Whether a rule's `who` covers a person, decided in one place for every rule that names people,
 * so the rules that allow, deny and route approvals agree on who is who.
 */
import type { RequestIdentity, WhoMatcher } from '../model/tool-policy.ts';

/**
 * Whether a rule's `who` list covers a person: any one entry matching is enough.
 * Emails and domains compare case-insensitively; groups exactly.
 *
 * @example
 * ```ts
 * whoMatches([{ group: 'support' }, { email: 'ada@example.com' }], { email: 'Ada@Example.com', groups: [] }); // true
 * ```
 */
export function whoMatches(who: readonly WhoMatcher[], identity: RequestIdentity): boolean {
  return who.some((entry) => {
    if ('email' in entry) return entry.email.toLowerCase() === identity.email.toLowerCase();
    if ('emailDomain' in entry) return entry.emailDomain.toLowerCase() === domainOf(identity.email);
    if ('group' in entry) return identity.groups.includes(entry.group);
    return entry.everyone;
  });
}

function domainOf(email: string): string {
  const at = email.lastIndexOf('@');
  return at === -1 ? '' : email.slice(at + 1).toLowerCase();
}
